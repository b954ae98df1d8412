import { type Kysely, sql } from 'kysely';

// Long calculations (set formation, matching runs) run in worker threads as jobs. A row records who
// started one, for which scope, how far it has got and how it ended, so the person waiting sees a
// progress page served by any app process, and a cancel reaches the process running it (which
// reads cancel_requested_at with each heartbeat). At most one job runs per subject (a cohort, a
// matching scope); a row whose heartbeat stopped (its process died) counts as interrupted.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table engine_jobs (
    id serial primary key,
    kind text not null,
    region_code text,
    subject_key text not null,
    subject_id integer,
    status text not null default 'running' check (status in ('running', 'succeeded', 'failed', 'cancelled')),
    progress jsonb,
    started_by integer references users (id) on delete set null,
    started_at timestamptz not null default now(),
    heartbeat_at timestamptz not null default now(),
    finished_at timestamptz,
    cancel_requested_at timestamptz,
    result_id integer,
    error text
  )`.execute(db);
  await sql`create unique index engine_jobs_one_running on engine_jobs (subject_key) where status = 'running'`.execute(
    db,
  );
  await sql`create index engine_jobs_started_by on engine_jobs (started_by)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists engine_jobs`.execute(db);
}
