import { type Kysely, sql } from 'kysely';

// Action learning: the consultancy's facilitators, set formations (a cohort split into sets by the
// engine, edited by hand, then published), sessions with attendance, presenters and actions,
// facilitators' private notes, session returns to the region, and per-user calendar feeds.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table ls_facilitators (
      user_id integer primary key references users(id),
      region_code text not null references network_regions(code),
      organisation_id integer not null references organisations(id),
      is_lead boolean not null default false,
      max_sets integer not null check (max_sets between 0 and 20),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index ls_facilitators_region on ls_facilitators (region_code)`.execute(db);
  // One lead facilitator per region.
  await sql`create unique index ls_facilitators_one_lead on ls_facilitators (region_code) where is_lead`.execute(
    db,
  );

  await sql`
    create table ls_formations (
      id serial primary key,
      region_code text not null references network_regions(code),
      intake_id integer not null references intakes(id),
      status text not null default 'draft' check (status in ('draft', 'published')),
      min_size integer not null,
      max_size integer not null,
      equal_sizes boolean not null,
      separate_organisations boolean not null,
      settings jsonb not null,
      people jsonb not null,
      objective double precision not null,
      unmet_preferences integer not null default 0,
      created_by integer not null references users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      published_by integer references users(id),
      published_at timestamptz
    )`.execute(db);
  await sql`create index ls_formations_region on ls_formations (region_code, created_at desc)`.execute(db);
  // A cohort's sets are published once.
  await sql`create unique index ls_formations_one_published on ls_formations (intake_id) where status = 'published'`.execute(
    db,
  );

  await sql`
    create table ls_sets (
      id serial primary key,
      formation_id integer not null references ls_formations(id) on delete cascade,
      region_code text not null references network_regions(code),
      name text not null,
      position integer not null,
      facilitator_user_id integer references users(id),
      min_size integer not null,
      max_size integer not null,
      created_at timestamptz not null default now(),
      unique (formation_id, position)
    )`.execute(db);
  await sql`create index ls_sets_facilitator on ls_sets (facilitator_user_id)`.execute(db);
  await sql`create index ls_sets_region on ls_sets (region_code)`.execute(db);

  await sql`
    create table ls_set_members (
      formation_id integer not null references ls_formations(id) on delete cascade,
      set_id integer not null references ls_sets(id) on delete cascade,
      user_id integer not null references users(id),
      person_index integer not null,
      primary key (formation_id, user_id)
    )`.execute(db);
  await sql`create index ls_set_members_set on ls_set_members (set_id)`.execute(db);
  await sql`create index ls_set_members_user on ls_set_members (user_id)`.execute(db);

  await sql`
    create table ls_sessions (
      id serial primary key,
      set_id integer not null references ls_sets(id) on delete cascade,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      location text,
      online_url text,
      created_by integer not null references users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (ends_at > starts_at),
      check (location is not null or online_url is not null)
    )`.execute(db);
  await sql`create index ls_sessions_set on ls_sessions (set_id, starts_at)`.execute(db);

  await sql`
    create table ls_attendance (
      session_id integer not null references ls_sessions(id) on delete cascade,
      user_id integer not null references users(id),
      status text not null check (status in ('present', 'apologies', 'absent')),
      presented boolean not null default false,
      recorded_by integer not null references users(id),
      recorded_at timestamptz not null default now(),
      primary key (session_id, user_id)
    )`.execute(db);
  await sql`create index ls_attendance_user on ls_attendance (user_id)`.execute(db);

  await sql`
    create table ls_actions (
      id serial primary key,
      set_id integer not null references ls_sets(id) on delete cascade,
      session_id integer not null references ls_sessions(id) on delete cascade,
      owner_user_id integer not null references users(id),
      description text not null,
      due_on date not null,
      status text not null default 'open'
        check (status in ('open', 'done', 'partly', 'not-done', 'carried-over')),
      reviewed_session_id integer references ls_sessions(id) on delete set null,
      review_note text,
      created_by integer not null references users(id),
      created_at timestamptz not null default now(),
      reviewed_at timestamptz
    )`.execute(db);
  await sql`create index ls_actions_set on ls_actions (set_id, status)`.execute(db);
  await sql`create index ls_actions_session on ls_actions (session_id)`.execute(db);
  await sql`create index ls_actions_owner on ls_actions (owner_user_id)`.execute(db);

  await sql`
    create table ls_facilitator_notes (
      session_id integer not null references ls_sessions(id) on delete cascade,
      author_user_id integer not null references users(id),
      body text not null,
      updated_at timestamptz not null default now(),
      primary key (session_id, author_user_id)
    )`.execute(db);

  await sql`
    create table ls_session_returns (
      session_id integer primary key references ls_sessions(id) on delete cascade,
      set_id integer not null references ls_sets(id) on delete cascade,
      region_code text not null references network_regions(code),
      session_date date not null,
      members_count integer not null,
      present_count integer not null,
      apologies_count integer not null,
      absent_count integer not null,
      actions_reviewed integer not null,
      actions_done integer not null,
      themes text not null,
      submitted_by integer not null references users(id),
      submitted_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index ls_session_returns_region on ls_session_returns (region_code, session_date)`.execute(
    db,
  );

  await sql`
    create table ls_calendar_feeds (
      id serial primary key,
      user_id integer not null references users(id),
      token_hash text not null unique,
      token_prefix text not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index ls_calendar_feeds_user on ls_calendar_feeds (user_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'ls_calendar_feeds',
    'ls_session_returns',
    'ls_facilitator_notes',
    'ls_actions',
    'ls_attendance',
    'ls_sessions',
    'ls_set_members',
    'ls_sets',
    'ls_formations',
    'ls_facilitators',
  ])
    await db.schema.dropTable(t).ifExists().execute();
}
