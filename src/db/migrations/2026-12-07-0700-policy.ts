import { type Kysely, sql } from 'kysely';

// The policy channel, both ways: calls for clinical input (questions, documents, audience, dated
// states), members' responses and answers, the policy team's analysis (themes per question,
// assignments with their history, suggested themes that count only once accepted), outcomes with
// milestones ("you said, we did"), a contributor's "this misses my point", questions members put
// to policy makers with supports and answers, and the patient-safety fast lane.
export async function up(db: Kysely<any>): Promise<void> {
  // The named role a policy maker answers under, and whether they are a patient-safety lead.
  await sql`create table policy_staff (
    user_id integer primary key references users (id) on delete cascade,
    role_title text not null,
    safety_lead boolean not null default false,
    updated_at timestamptz not null default now()
  )`.execute(db);

  await sql`create table policy_calls (
    id serial primary key,
    kind text not null check (kind in ('consultation', 'evidence', 'pulse')),
    title text not null,
    summary text not null,
    background text,
    status text not null default 'draft'
      check (status in ('draft', 'scheduled', 'open', 'closed', 'concluded')),
    opens_on date not null,
    closes_on date not null,
    response_due_on date not null,
    response_due_reason text,
    is_public boolean not null default false,
    audience_regions text[] not null default '{}',
    audience_professions text[] not null default '{}',
    audience_specialty_ids integer[] not null default '{}',
    audience_intake_id integer references intakes (id) on delete set null,
    owner_user_id integer references users (id) on delete set null,
    source_question_id integer,
    published_response text,
    published_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (closes_on >= opens_on),
    check (response_due_on >= closes_on)
  )`.execute(db);
  await sql`create index policy_calls_status on policy_calls (status, closes_on, id)`.execute(db);
  await sql`create index policy_calls_owner on policy_calls (owner_user_id)`.execute(db);

  // Every change of a call's state, dated: the timeline on the call page.
  await sql`create table policy_call_status_changes (
    id serial primary key,
    call_id integer not null references policy_calls (id) on delete cascade,
    from_status text,
    to_status text not null,
    changed_by integer references users (id) on delete set null,
    changed_at timestamptz not null default now(),
    note text
  )`.execute(db);
  await sql`create index policy_call_status_changes_call on policy_call_status_changes (call_id, id)`.execute(
    db,
  );

  await sql`create table policy_call_documents (
    id serial primary key,
    call_id integer not null references policy_calls (id) on delete cascade,
    position integer not null,
    title text not null,
    url text not null
  )`.execute(db);
  await sql`create index policy_call_documents_call on policy_call_documents (call_id, position)`.execute(db);

  await sql`create table policy_call_questions (
    id serial primary key,
    call_id integer not null references policy_calls (id) on delete cascade,
    position integer not null,
    kind text not null check (kind in ('text', 'single', 'multiple', 'scale', 'ranking')),
    prompt text not null,
    help text,
    required boolean not null default false,
    max_length integer check (max_length between 1 and 20000),
    options text[] not null default '{}',
    scale_min integer,
    scale_max integer,
    scale_min_label text,
    scale_max_label text,
    check (scale_min is null or scale_max is null or scale_max > scale_min)
  )`.execute(db);
  await sql`create index policy_call_questions_call on policy_call_questions (call_id, position)`.execute(db);

  // Who was told what about a call, once each (opened, closing soon): any app process may run the task.
  await sql`create table policy_call_notices (
    call_id integer not null references policy_calls (id) on delete cascade,
    kind text not null check (kind in ('opened', 'closing')),
    sent_at timestamptz not null default now(),
    recipients integer not null default 0,
    primary key (call_id, kind)
  )`.execute(db);

  // A nudge to an under-represented group while a call is open.
  await sql`create table policy_nudges (
    id serial primary key,
    call_id integer not null references policy_calls (id) on delete cascade,
    dimension text not null check (dimension in ('profession', 'region', 'specialty', 'setting')),
    value text not null,
    message text,
    recipients integer not null default 0,
    sent_by integer references users (id) on delete set null,
    sent_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index policy_nudges_call on policy_nudges (call_id, id)`.execute(db);

  // One response a member a call; the group columns are the member's at submission, so counts
  // do not shift when a member later moves region or employer.
  await sql`create table policy_responses (
    id serial primary key,
    call_id integer not null references policy_calls (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    status text not null default 'draft' check (status in ('draft', 'submitted')),
    on_behalf_of_organisation_id integer references organisations (id) on delete set null,
    confidential boolean not null default false,
    safety_concern boolean not null default false,
    region_code text,
    profession text,
    specialty_id integer,
    setting text,
    submitted_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (call_id, user_id)
  )`.execute(db);
  await sql`create index policy_responses_user on policy_responses (user_id)`.execute(db);
  await sql`create index policy_responses_call_status on policy_responses (call_id, status)`.execute(db);

  await sql`create table policy_answers (
    response_id integer not null references policy_responses (id) on delete cascade,
    question_id integer not null references policy_call_questions (id) on delete cascade,
    text_value text,
    choice_values text[] not null default '{}',
    scale_value integer,
    primary key (response_id, question_id)
  )`.execute(db);
  await sql`create index policy_answers_question on policy_answers (question_id)`.execute(db);

  // Themes are per question. A merged theme is kept (merged_into_id) so history still reads.
  await sql`create table policy_themes (
    id serial primary key,
    call_id integer not null references policy_calls (id) on delete cascade,
    question_id integer not null references policy_call_questions (id) on delete cascade,
    name text not null,
    description text,
    merged_into_id integer references policy_themes (id) on delete set null,
    created_by integer references users (id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index policy_themes_question on policy_themes (question_id, id)`.execute(db);
  await sql`create unique index policy_themes_name on policy_themes (question_id, lower(name))
    where merged_into_id is null`.execute(db);

  // A response's answer (or an excerpt of it) counted under a theme. Never deleted: removal is
  // dated, and every change is a row in policy_assignment_history.
  await sql`create table policy_theme_assignments (
    id serial primary key,
    theme_id integer not null references policy_themes (id) on delete cascade,
    response_id integer not null references policy_responses (id) on delete cascade,
    question_id integer not null references policy_call_questions (id) on delete cascade,
    excerpt text,
    sentiment text check (sentiment in ('agree', 'disagree', 'mixed')),
    evidence_rich boolean not null default false,
    source text not null default 'person' check (source in ('person', 'suggestion')),
    assigned_by integer references users (id) on delete set null,
    assigned_at timestamptz not null default now(),
    removed_by integer references users (id) on delete set null,
    removed_at timestamptz
  )`.execute(db);
  await sql`create index policy_theme_assignments_theme on policy_theme_assignments (theme_id)
    where removed_at is null`.execute(db);
  await sql`create index policy_theme_assignments_response on policy_theme_assignments (response_id)`.execute(
    db,
  );

  await sql`create table policy_assignment_history (
    id serial primary key,
    assignment_id integer not null references policy_theme_assignments (id) on delete cascade,
    action text not null,
    details jsonb not null default '{}'::jsonb,
    changed_by integer references users (id) on delete set null,
    changed_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index policy_assignment_history_assignment on policy_assignment_history (assignment_id, id)`.execute(
    db,
  );

  // Themes suggested by text analysis: shown as suggestions, counted only once a person accepts.
  await sql`create table policy_theme_suggestions (
    id serial primary key,
    call_id integer not null references policy_calls (id) on delete cascade,
    question_id integer not null references policy_call_questions (id) on delete cascade,
    label text not null,
    keyphrases text[] not null default '{}',
    response_ids integer[] not null default '{}',
    score double precision not null default 0,
    status text not null default 'pending' check (status in ('pending', 'accepted', 'rejected')),
    theme_id integer references policy_themes (id) on delete set null,
    decided_by integer references users (id) on delete set null,
    decided_at timestamptz,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index policy_theme_suggestions_question on policy_theme_suggestions (question_id, status)`.execute(
    db,
  );

  // What was decided, per theme or per question of a call.
  await sql`create table policy_outcomes (
    id serial primary key,
    call_id integer not null references policy_calls (id) on delete cascade,
    theme_id integer references policy_themes (id) on delete cascade,
    question_id integer references policy_call_questions (id) on delete cascade,
    decision text not null check (decision in ('adopted', 'adapted', 'not-adopted', 'deferred')),
    summary text not null,
    reason text,
    owner_role text not null,
    decided_on date not null,
    created_by integer references users (id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (theme_id is not null or question_id is not null),
    check (decision <> 'not-adopted' or reason is not null)
  )`.execute(db);
  await sql`create index policy_outcomes_call on policy_outcomes (call_id, id)`.execute(db);

  await sql`create table policy_milestones (
    id serial primary key,
    outcome_id integer not null references policy_outcomes (id) on delete cascade,
    title text not null,
    due_on date,
    status text not null default 'planned' check (status in ('planned', 'in-progress', 'done', 'dropped')),
    progress integer not null default 0 check (progress between 0 and 100),
    note text,
    updated_by integer references users (id) on delete set null,
    updated_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index policy_milestones_outcome on policy_milestones (outcome_id, id)`.execute(db);

  // "This misses my point": once a response, and the team must answer.
  await sql`create table policy_response_challenges (
    id serial primary key,
    response_id integer not null unique references policy_responses (id) on delete cascade,
    body text not null,
    created_at timestamptz not null default now(),
    answer text,
    answered_by integer references users (id) on delete set null,
    answered_at timestamptz
  )`.execute(db);

  // Questions members put to policy makers: to the network, or privately to the policy team.
  await sql`create table policy_questions (
    id serial primary key,
    user_id integer references users (id) on delete set null,
    visibility text not null check (visibility in ('network', 'private')),
    title text not null,
    body text not null,
    safety_concern boolean not null default false,
    status text not null default 'open' check (status in ('open', 'answered', 'withdrawn')),
    answer text,
    answered_by integer references users (id) on delete set null,
    answered_role text,
    answered_at timestamptz,
    call_id integer references policy_calls (id) on delete set null,
    supports integer not null default 0,
    search tsvector,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index policy_questions_waiting on policy_questions (status, created_at, id)`.execute(db);
  await sql`create index policy_questions_user on policy_questions (user_id)`.execute(db);
  await sql`create index policy_questions_search on policy_questions using gin (search)`.execute(db);
  await sql`alter table policy_calls add constraint policy_calls_source_question
    foreign key (source_question_id) references policy_questions (id) on delete set null`.execute(db);

  await sql`create table policy_question_supports (
    question_id integer not null references policy_questions (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (question_id, user_id)
  )`.execute(db);
  await sql`create index policy_question_supports_user on policy_question_supports (user_id)`.execute(db);

  // The patient-safety fast lane: a concern raised in a response or a question reaches the named
  // safety lead at once and is overdue after 48 hours unacknowledged.
  await sql`create table policy_safety_concerns (
    id serial primary key,
    response_id integer references policy_responses (id) on delete cascade,
    question_id integer references policy_questions (id) on delete cascade,
    raised_by integer references users (id) on delete set null,
    summary text not null,
    lead_user_id integer references users (id) on delete set null,
    raised_at timestamptz not null default now(),
    acknowledged_by integer references users (id) on delete set null,
    acknowledged_at timestamptz,
    acknowledgement text,
    check (response_id is not null or question_id is not null)
  )`.execute(db);
  await sql`create index policy_safety_concerns_open on policy_safety_concerns (raised_at)
    where acknowledged_at is null`.execute(db);
  await sql`create index policy_safety_concerns_raised_by on policy_safety_concerns (raised_by)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'policy_safety_concerns',
    'policy_question_supports',
    'policy_response_challenges',
    'policy_milestones',
    'policy_outcomes',
    'policy_theme_suggestions',
    'policy_assignment_history',
    'policy_theme_assignments',
    'policy_themes',
    'policy_answers',
    'policy_responses',
    'policy_nudges',
    'policy_call_notices',
    'policy_call_questions',
    'policy_call_documents',
    'policy_call_status_changes',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`alter table if exists policy_calls drop constraint if exists policy_calls_source_question`.execute(
    db,
  );
  await sql`drop table if exists policy_questions`.execute(db);
  await sql`drop table if exists policy_calls`.execute(db);
  await sql`drop table if exists policy_staff`.execute(db);
}
