import { type Kysely, sql } from 'kysely';

// The recruitment module: applications to a region's intake, sponsor endorsements, drafts of the
// public journey and requests for a higher quota.
export async function up(db: Kysely<any>): Promise<void> {
  // When a place frees up, offer it to the top of the waitlist without waiting for the lead.
  await sql`alter table network_regions add column auto_offer_waitlist boolean not null default true`.execute(
    db,
  );

  await db.schema
    .createTable('application_drafts')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('application_drafts_expires')
    .on('application_drafts')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('applications')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('intake_id', 'integer', (c) => c.notNull().references('intakes.id'))
    .addColumn('region_code', 'text', (c) => c.notNull().references('network_regions.code'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('submitted')
        .check(
          sql`status in ('submitted', 'shortlisted', 'offered', 'waitlisted', 'declined', 'withdrawn', 'accepted')`,
        ),
    )
    .addColumn('given_name', 'text', (c) => c.notNull())
    .addColumn('family_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('profession', 'text', (c) => c.notNull())
    .addColumn('register', 'text', (c) => c.notNull())
    .addColumn('registration_number', 'text', (c) => c.notNull())
    .addColumn('employer_organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('employer_ods_code', 'text', (c) => c.notNull())
    .addColumn('employer_name', 'text', (c) => c.notNull())
    .addColumn('job_title', 'text', (c) => c.notNull())
    .addColumn('role_summary', 'text', (c) => c.notNull())
    .addColumn('leadership_experience', 'text', (c) => c.notNull())
    .addColumn('motivation', 'text', (c) => c.notNull())
    .addColumn('sponsor_name', 'text', (c) => c.notNull())
    .addColumn('sponsor_email', 'text', (c) => c.notNull())
    .addColumn('consent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('privacy_notice_version', 'text', (c) => c.notNull())
    .addColumn('waitlist_rank', 'integer')
    .addColumn('decision_reason', 'text')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('web'))
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('offered_at', 'timestamptz')
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('status_token_hash', 'text', (c) => c.unique())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('search_text', 'text', (c) =>
      c
        .generatedAlwaysAs(
          sql`lower(given_name || ' ' || family_name || ' ' || email || ' ' || reference || ' ' || registration_number || ' ' || employer_name)`,
        )
        .stored(),
    )
    .execute();
  await db.schema
    .createIndex('applications_region_status')
    .on('applications')
    .columns(['region_code', 'status', 'submitted_at'])
    .execute();
  await db.schema
    .createIndex('applications_region_submitted')
    .on('applications')
    .columns(['region_code', 'submitted_at'])
    .execute();
  await db.schema
    .createIndex('applications_intake_status')
    .on('applications')
    .columns(['intake_id', 'status', 'waitlist_rank'])
    .execute();
  await db.schema.createIndex('applications_user').on('applications').column('user_id').execute();
  await sql`create unique index applications_intake_registration on applications (intake_id, register, registration_number) where status <> 'withdrawn'`.execute(
    db,
  );
  await sql`create unique index applications_intake_email on applications (intake_id, email) where status <> 'withdrawn'`.execute(
    db,
  );
  await sql`create index applications_search_trgm on applications using gin (search_text gin_trgm_ops)`.execute(
    db,
  );

  await db.schema
    .createTable('endorsements')
    .addColumn('application_id', 'integer', (c) =>
      c.primaryKey().references('applications.id').onDelete('cascade'),
    )
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'endorsed', 'not-endorsed')`),
    )
    .addColumn('comment', 'text')
    .addColumn('responded_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('endorsements_due')
    .on('endorsements')
    .columns(['status', 'last_sent_at'])
    .execute();

  await db.schema
    .createTable('quota_requests')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('region_code', 'text', (c) => c.notNull().references('network_regions.code'))
    .addColumn('requested_by_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('requested_by_label', 'text', (c) => c.notNull())
    .addColumn('current_quota', 'integer', (c) => c.notNull())
    .addColumn('requested_quota', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'approved', 'refused')`),
    )
    .addColumn('decided_by_label', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('quota_requests_status')
    .on('quota_requests')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('quota_requests_region')
    .on('quota_requests')
    .columns(['region_code', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['quota_requests', 'endorsements', 'applications', 'application_drafts']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`alter table network_regions drop column if exists auto_offer_waitlist`.execute(db);
}
