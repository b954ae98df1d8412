import { type Kysely, sql } from 'kysely';

// Mentoring: mentors' offers, mentees' requests, declared conflicts, matching runs with their
// proposed pairs and adjustments, relationships (agreement, goals, meetings, review, ending).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mentoring_offers')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity between 0 and 5`))
    .addColumn('areas', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('format', 'text', (c) => c.notNull().defaultTo('either'))
    .addColumn('mentee_professions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('notes', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('mentoring_requests')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('waiting'))
    .addColumn('goals', 'text', (c) => c.notNull())
    .addColumn('goal_areas', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('format', 'text', (c) => c.notNull().defaultTo('either'))
    .addColumn('mentor_professions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('same_region', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('waitlist_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One open request (waiting or matched) per member.
  await sql`create unique index mentoring_requests_open on mentoring_requests (user_id)
    where status in ('waiting', 'matched')`.execute(db);
  await db.schema
    .createIndex('mentoring_requests_status')
    .on('mentoring_requests')
    .columns(['status', 'id'])
    .execute();

  await db.schema
    .createTable('mentoring_conflicts')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('other_user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('mentoring_conflicts_pair', ['user_id', 'other_user_id'])
    .execute();
  await db.schema
    .createIndex('mentoring_conflicts_other')
    .on('mentoring_conflicts')
    .column('other_user_id')
    .execute();

  await db.schema
    .createTable('mentoring_runs')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('region_code', 'text', (c) => c.references('network_regions.code'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('matched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mentees', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('objective', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('unmatched', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decided_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('mentoring_runs_created')
    .on('mentoring_runs')
    .columns(['region_code', 'id'])
    .execute();

  await db.schema
    .createTable('mentoring_run_pairs')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('mentoring_runs.id').onDelete('cascade'))
    .addColumn('request_id', 'integer', (c) => c.notNull().references('mentoring_requests.id'))
    .addColumn('mentor_user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('breakdown', 'jsonb', (c) => c.notNull())
    .addColumn('pinned', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('mentoring_run_pairs_pk', ['run_id', 'request_id'])
    .execute();

  await db.schema
    .createTable('mentoring_run_adjustments')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('mentoring_runs.id').onDelete('cascade'))
    .addColumn('request_id', 'integer', (c) => c.notNull().references('mentoring_requests.id'))
    .addColumn('mentor_user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mentoring_run_adjustments_pk', ['run_id', 'request_id', 'mentor_user_id'])
    .execute();

  await db.schema
    .createTable('mentoring_relationships')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('request_id', 'integer', (c) => c.notNull().references('mentoring_requests.id'))
    .addColumn('run_id', 'integer', (c) => c.references('mentoring_runs.id'))
    .addColumn('mentee_user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('mentor_user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('score', 'double precision')
    .addColumn('started_on', 'date', (c) => c.notNull())
    .addColumn('ground_rules', 'text')
    .addColumn('meeting_frequency', 'text')
    .addColumn('duration_months', 'integer')
    .addColumn('agreed_at', 'timestamptz')
    .addColumn('review_due_on', 'date', (c) => c.notNull())
    .addColumn('review_text', 'text')
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('mentee_feedback', 'text')
    .addColumn('mentor_feedback', 'text')
    .addColumn('last_reminder_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('mentoring_relationships_mentee')
    .on('mentoring_relationships')
    .columns(['mentee_user_id', 'mentor_user_id'])
    .execute();
  await db.schema
    .createIndex('mentoring_relationships_mentor')
    .on('mentoring_relationships')
    .columns(['mentor_user_id', 'status'])
    .execute();
  await db.schema
    .createIndex('mentoring_relationships_region')
    .on('mentoring_relationships')
    .columns(['region_code', 'status', 'id'])
    .execute();

  await db.schema
    .createTable('mentoring_goals')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('relationship_id', 'integer', (c) =>
      c.notNull().references('mentoring_relationships.id').onDelete('cascade'),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('not-started'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('mentoring_goals_relationship')
    .on('mentoring_goals')
    .column('relationship_id')
    .execute();

  await db.schema
    .createTable('mentoring_meetings')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('relationship_id', 'integer', (c) =>
      c.notNull().references('mentoring_relationships.id').onDelete('cascade'),
    )
    .addColumn('met_on', 'date', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('logged_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('mentoring_meetings_relationship')
    .on('mentoring_meetings')
    .columns(['relationship_id', 'met_on'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'mentoring_meetings',
    'mentoring_goals',
    'mentoring_relationships',
    'mentoring_run_adjustments',
    'mentoring_run_pairs',
    'mentoring_runs',
    'mentoring_conflicts',
    'mentoring_requests',
    'mentoring_offers',
  ])
    await db.schema.dropTable(t).ifExists().execute();
}
