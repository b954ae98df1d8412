import { type Kysely, sql } from 'kysely';

// Knowledge for clinicians and their organisations (issue 18): a library of resources, improvement
// case studies, innovations and guidance summaries, with structured case-study fields, PDSA cycles,
// measures and their values over time, versions, files, the organisations involved, adoptions by
// other teams (the spread of an idea), discussion with moderation, followers, share links for
// public items, a clinical synonym layer for search, and the records that make freshness reminders
// and organisation digests go out once each.
export async function up(db: Kysely<any>): Promise<void> {
  // The topics items are filed under (editable by the national team).
  await sql`create table knowledge_topics (
    id serial primary key,
    name text not null,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create unique index knowledge_topics_name on knowledge_topics (lower(name))`.execute(db);

  await sql`create table knowledge_items (
    id serial primary key,
    kind text not null check (kind in ('resource', 'case-study', 'innovation', 'guidance')),
    status text not null default 'draft' check (status in ('draft', 'published', 'archived')),
    -- Who may read it: the public (anyone, and a share link opens it signed out), the network
    -- (everyone signed in with a network role), one region, or named groups (learning sets).
    visibility text not null default 'network' check (visibility in ('public', 'network', 'region', 'groups')),
    region_code text references network_regions (code),
    title text not null,
    summary text not null,
    body text,
    -- A resource: a link, or files uploaded (knowledge_files).
    resource_url text,
    -- A case study's structured fields, each searchable.
    problem text,
    baseline text,
    aim text,
    results text,
    cost text,
    care_setting text check (care_setting in
      ('acute', 'community', 'primary-care', 'mental-health', 'ambulance', 'social-care', 'other')),
    spread_stage text check (spread_stage in ('idea', 'pilot', 'local', 'spreading', 'national')),
    evidence_level text check (evidence_level in ('anecdotal', 'before-after', 'controlled', 'evaluated', 'peer-reviewed')),
    contact_user_id integer references users (id) on delete set null,
    owner_user_id integer references users (id) on delete set null,
    reviewed_on date,
    review_by date,
    -- Set when the owner was asked to confirm the item at its review-by date (once per date), and
    -- when the organisation was asked for a new contact after the contact left the network.
    review_asked_for date,
    contact_asked_at timestamptz,
    -- Facets kept on the row so that search filters combine on one index scan.
    topic_ids integer[] not null default '{}',
    organisation_ids integer[] not null default '{}',
    version integer not null default 1,
    search_vector tsvector not null default ''::tsvector,
    published_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (review_by is null or reviewed_on is null or review_by >= reviewed_on),
    check (visibility <> 'region' or region_code is not null)
  )`.execute(db);
  await sql`create index knowledge_items_search on knowledge_items using gin (search_vector)`.execute(db);
  await sql`create index knowledge_items_topics on knowledge_items using gin (topic_ids)`.execute(db);
  await sql`create index knowledge_items_organisations on knowledge_items using gin (organisation_ids)`.execute(
    db,
  );
  await sql`create index knowledge_items_listing on knowledge_items (status, published_at desc, id)`.execute(
    db,
  );
  await sql`create index knowledge_items_owner on knowledge_items (owner_user_id)`.execute(db);
  await sql`create index knowledge_items_contact on knowledge_items (contact_user_id)`.execute(db);
  await sql`create index knowledge_items_review_by on knowledge_items (review_by) where status = 'published'`.execute(
    db,
  );

  // The organisations an item involves (the facet array above is kept from these rows).
  await sql`create table knowledge_item_organisations (
    item_id integer not null references knowledge_items (id) on delete cascade,
    organisation_id integer not null references organisations (id),
    primary key (item_id, organisation_id)
  )`.execute(db);
  await sql`create index knowledge_item_organisations_org on knowledge_item_organisations (organisation_id, item_id)`.execute(
    db,
  );

  // Named groups an item is shared with, when its visibility is 'groups'.
  await sql`create table knowledge_item_groups (
    item_id integer not null references knowledge_items (id) on delete cascade,
    set_id integer not null references ls_sets (id) on delete cascade,
    primary key (item_id, set_id)
  )`.execute(db);
  await sql`create index knowledge_item_groups_set on knowledge_item_groups (set_id, item_id)`.execute(db);

  // Every saved version of an item: the whole item as it then was, who changed it and why.
  await sql`create table knowledge_item_versions (
    id serial primary key,
    item_id integer not null references knowledge_items (id) on delete cascade,
    version integer not null,
    snapshot jsonb not null,
    changed_by integer references users (id) on delete set null,
    changed_at timestamptz not null default now(),
    note text,
    unique (item_id, version)
  )`.execute(db);

  // A case study's plan-do-study-act cycles.
  await sql`create table knowledge_pdsa_cycles (
    id serial primary key,
    item_id integer not null references knowledge_items (id) on delete cascade,
    position integer not null,
    plan text not null,
    prediction text,
    happened text,
    decision text check (decision in ('adopt', 'adapt', 'abandon')),
    started_on date
  )`.execute(db);
  await sql`create index knowledge_pdsa_cycles_item on knowledge_pdsa_cycles (item_id, position)`.execute(db);

  // Another team's adoption of an item, with its own measures: where an idea has travelled.
  await sql`create table knowledge_adoptions (
    id serial primary key,
    item_id integer not null references knowledge_items (id) on delete cascade,
    organisation_id integer not null references organisations (id),
    region_code text references network_regions (code),
    status text not null default 'adopted' check (status in ('exploring', 'adopted', 'adapted', 'stopped')),
    adopted_on date not null,
    notes text,
    recorded_by integer references users (id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (item_id, organisation_id)
  )`.execute(db);
  await sql`create index knowledge_adoptions_organisation on knowledge_adoptions (organisation_id)`.execute(
    db,
  );

  // Measures (outcome, process, balancing) of a case study, or of one adoption of it.
  await sql`create table knowledge_measures (
    id serial primary key,
    item_id integer not null references knowledge_items (id) on delete cascade,
    adoption_id integer references knowledge_adoptions (id) on delete cascade,
    position integer not null,
    kind text not null check (kind in ('outcome', 'process', 'balancing')),
    name text not null,
    unit text,
    description text
  )`.execute(db);
  await sql`create index knowledge_measures_item on knowledge_measures (item_id, adoption_id, position)`.execute(
    db,
  );
  await sql`create table knowledge_measure_values (
    id serial primary key,
    measure_id integer not null references knowledge_measures (id) on delete cascade,
    measured_on date not null,
    value double precision not null,
    note text,
    unique (measure_id, measured_on)
  )`.execute(db);

  // Uploaded files: stored on disk (embedded) or in an S3-compatible store, by key.
  await sql`create table knowledge_files (
    id serial primary key,
    item_id integer not null references knowledge_items (id) on delete cascade,
    storage text not null check (storage in ('disk', 's3')),
    storage_key text not null unique,
    filename text not null,
    media_type text not null,
    size_bytes integer not null check (size_bytes > 0),
    sha256 text not null,
    uploaded_by integer references users (id) on delete set null,
    uploaded_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index knowledge_files_item on knowledge_files (item_id, id)`.execute(db);

  // Discussion: a post on an item (a comment or a question) and replies to it.
  await sql`create table knowledge_posts (
    id serial primary key,
    item_id integer not null references knowledge_items (id) on delete cascade,
    parent_id integer references knowledge_posts (id) on delete cascade,
    kind text not null default 'comment' check (kind in ('comment', 'question', 'reply')),
    author_user_id integer references users (id) on delete set null,
    body text not null,
    accepted_reply_id integer references knowledge_posts (id) on delete set null,
    status text not null default 'visible' check (status in ('visible', 'hidden')),
    hidden_by integer references users (id) on delete set null,
    hidden_at timestamptz,
    hidden_reason text,
    search_vector tsvector not null default ''::tsvector,
    created_at timestamptz not null default now(),
    edited_at timestamptz,
    check ((parent_id is null) = (kind <> 'reply'))
  )`.execute(db);
  await sql`create index knowledge_posts_item on knowledge_posts (item_id, parent_id, id)`.execute(db);
  await sql`create index knowledge_posts_author on knowledge_posts (author_user_id)`.execute(db);
  await sql`create index knowledge_posts_search on knowledge_posts using gin (search_vector)`.execute(db);

  await sql`create table knowledge_post_mentions (
    post_id integer not null references knowledge_posts (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    primary key (post_id, user_id)
  )`.execute(db);

  await sql`create table knowledge_post_reports (
    id serial primary key,
    post_id integer not null references knowledge_posts (id) on delete cascade,
    reporter_user_id integer references users (id) on delete set null,
    reason text not null,
    created_at timestamptz not null default now(),
    resolved_at timestamptz,
    resolved_by integer references users (id) on delete set null,
    resolution text check (resolution in ('hidden', 'kept'))
  )`.execute(db);
  await sql`create index knowledge_post_reports_open on knowledge_post_reports (post_id) where resolved_at is null`.execute(
    db,
  );

  // People following an item hear of new posts on it.
  await sql`create table knowledge_follows (
    item_id integer not null references knowledge_items (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (item_id, user_id)
  )`.execute(db);
  await sql`create index knowledge_follows_user on knowledge_follows (user_id)`.execute(db);

  // A link that lets anyone read a public item signed out, until it is revoked. Only the token's
  // hash is kept.
  await sql`create table knowledge_share_links (
    id serial primary key,
    item_id integer not null references knowledge_items (id) on delete cascade,
    token_hash text not null unique,
    created_by integer references users (id) on delete set null,
    created_at timestamptz not null default now(),
    revoked_at timestamptz,
    revoked_by integer references users (id) on delete set null
  )`.execute(db);
  await sql`create index knowledge_share_links_item on knowledge_share_links (item_id)`.execute(db);

  // The clinical synonym and acronym layer: each group's terms mean the same to search
  // ("A&E", "ED", "emergency department"). Seeded from a shipped list; the national team edits it.
  await sql`create table knowledge_synonyms (
    id serial primary key,
    terms text[] not null check (cardinality(terms) >= 2),
    updated_by integer references users (id) on delete set null,
    updated_at timestamptz not null default now()
  )`.execute(db);

  // The words the library holds, for typo tolerance (a query word that is not one of them is
  // corrected to the nearest that is).
  await sql`create table knowledge_words (
    word text primary key,
    documents integer not null default 0
  )`.execute(db);
  await sql`create index knowledge_words_trgm on knowledge_words using gin (word gin_trgm_ops)`.execute(db);

  // Each organisation's monthly digest for its sponsors goes out once.
  await sql`create table knowledge_digests (
    organisation_id integer not null references organisations (id) on delete cascade,
    month date not null,
    sent_at timestamptz not null default now(),
    items integer not null,
    primary key (organisation_id, month)
  )`.execute(db);
}
