import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { projectRoot } from '../../paths.ts';

// Leadership development: competency frameworks as versioned data (seeded with the MLCF 2010,
// the CLCF 2011 and the Healthcare Leadership Model 2013), the framework each region or intake
// uses, self-assessments, 360-degree feedback and development plans.

type SourceFramework = {
  key: string;
  name: string;
  publisher: string;
  edition: string;
  note?: string;
  scale_note?: string;
  scale: string[];
  domains: { name: string; optional?: boolean; elements: string[] }[];
};

// Descriptors for the seeded four-point scales; the source gives labels only. Administrators
// change them by publishing a new version.
const DESCRIPTORS: Record<string, string> = {
  'Not yet demonstrated': 'I have not yet had the opportunity to show this, or do not yet show it.',
  Developing: 'I show this sometimes, with support, and am building confidence.',
  Competent: 'I show this consistently in my usual work without support.',
  'Highly competent': 'I show this in complex situations and help others to develop it.',
  Essential: 'The behaviour is shown at a basic level in familiar situations.',
  Proficient: 'The behaviour is shown consistently in most situations.',
  Strong: 'The behaviour is shown in demanding situations and encouraged in others.',
  Exemplary: 'The behaviour is shown across the system and others learn it from you.',
};

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dev_frameworks')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('publisher', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A version never changes once written: editing a framework publishes the next version, so
  // assessments and plans keep the version they were made with.
  await db.schema
    .createTable('dev_framework_versions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('framework_id', 'integer', (c) => c.notNull().references('dev_frameworks.id'))
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('edition', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('dev_framework_versions_number', ['framework_id', 'version_number'])
    .execute();

  await db.schema
    .createTable('dev_scale_points')
    .addColumn('version_id', 'integer', (c) => c.notNull().references('dev_framework_versions.id'))
    .addColumn('value', 'integer', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('descriptor', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dev_scale_points_pk', ['version_id', 'value'])
    .execute();

  await db.schema
    .createTable('dev_domains')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('version_id', 'integer', (c) => c.notNull().references('dev_framework_versions.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('optional', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .createIndex('dev_domains_version')
    .on('dev_domains')
    .columns(['version_id', 'position'])
    .execute();

  await db.schema
    .createTable('dev_elements')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('domain_id', 'integer', (c) => c.notNull().references('dev_domains.id'))
    .addColumn('version_id', 'integer', (c) => c.notNull().references('dev_framework_versions.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .execute();
  await db.schema
    .createIndex('dev_elements_version')
    .on('dev_elements')
    .columns(['version_id', 'position'])
    .execute();
  await db.schema.createIndex('dev_elements_domain').on('dev_elements').column('domain_id').execute();

  // Which framework a region or an intake (cohort) uses; scope 'network' is the default for all.
  await db.schema
    .createTable('dev_framework_choices')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('scope_key', 'text', (c) => c.notNull())
    .addColumn('framework_id', 'integer', (c) => c.notNull().references('dev_frameworks.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('dev_framework_choices_pk', ['scope', 'scope_key'])
    .addCheckConstraint('dev_framework_choices_scope', sql`scope in ('network', 'region', 'intake')`)
    .execute();

  await db.schema
    .createTable('dev_self_assessments')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('version_id', 'integer', (c) => c.notNull().references('dev_framework_versions.id'))
    .addColumn('region_code', 'text', (c) => c.references('network_regions.code'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('dev_self_assessments_user')
    .on('dev_self_assessments')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('dev_self_assessments_version_region')
    .on('dev_self_assessments')
    .columns(['version_id', 'region_code', 'user_id'])
    .execute();

  await db.schema
    .createTable('dev_self_ratings')
    .addColumn('assessment_id', 'integer', (c) =>
      c.notNull().references('dev_self_assessments.id').onDelete('cascade'),
    )
    .addColumn('element_id', 'integer', (c) => c.notNull().references('dev_elements.id'))
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('evidence', 'text')
    .addPrimaryKeyConstraint('dev_self_ratings_pk', ['assessment_id', 'element_id'])
    .execute();

  await db.schema
    .createTable('dev_feedback_rounds')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('version_id', 'integer', (c) => c.notNull().references('dev_framework_versions.id'))
    .addColumn('region_code', 'text', (c) => c.references('network_regions.code'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('closes_on', 'date', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('dev_feedback_rounds_user')
    .on('dev_feedback_rounds')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('dev_feedback_rounds_open')
    .on('dev_feedback_rounds')
    .columns(['closed_at', 'closes_on'])
    .execute();
  await db.schema
    .createIndex('dev_feedback_rounds_version_region')
    .on('dev_feedback_rounds')
    .columns(['version_id', 'region_code'])
    .execute();

  // Raters are invited by email; only a hash of their link's token is kept.
  await db.schema
    .createTable('dev_raters')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('round_id', 'integer', (c) =>
      c.notNull().references('dev_feedback_rounds.id').onDelete('cascade'),
    )
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('rater_group', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_reminded_at', 'timestamptz')
    .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('responded_at', 'timestamptz')
    .addUniqueConstraint('dev_raters_round_email', ['round_id', 'email'])
    .addCheckConstraint(
      'dev_raters_group',
      sql`rater_group in ('line-manager', 'peer', 'direct-report', 'other')`,
    )
    .execute();

  // Responses carry the rater's group but no link to the rater: anonymity by construction.
  await db.schema
    .createTable('dev_feedback_responses')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('round_id', 'integer', (c) =>
      c.notNull().references('dev_feedback_rounds.id').onDelete('cascade'),
    )
    .addColumn('rater_group', 'text', (c) => c.notNull())
    .addColumn('strengths_comment', 'text')
    .addColumn('development_comment', 'text')
    .execute();
  await db.schema
    .createIndex('dev_feedback_responses_round')
    .on('dev_feedback_responses')
    .column('round_id')
    .execute();

  await db.schema
    .createTable('dev_feedback_ratings')
    .addColumn('response_id', 'integer', (c) =>
      c.notNull().references('dev_feedback_responses.id').onDelete('cascade'),
    )
    .addColumn('element_id', 'integer', (c) => c.notNull().references('dev_elements.id'))
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('dev_feedback_ratings_pk', ['response_id', 'element_id'])
    .execute();

  await db.schema
    .createTable('dev_plans')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('version_id', 'integer', (c) => c.notNull().references('dev_framework_versions.id'))
    .addColumn('region_code', 'text', (c) => c.references('network_regions.code'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('share_with_mentor', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('share_with_facilitator', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('dev_plans_user').on('dev_plans').columns(['user_id', 'created_at']).execute();
  await db.schema
    .createIndex('dev_plans_shared')
    .on('dev_plans')
    .columns(['region_code', 'share_with_facilitator', 'share_with_mentor'])
    .execute();

  await db.schema
    .createTable('dev_plan_goals')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('plan_id', 'integer', (c) => c.notNull().references('dev_plans.id').onDelete('cascade'))
    .addColumn('element_id', 'integer', (c) => c.notNull().references('dev_elements.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('actions', 'text')
    .addColumn('evidence', 'text')
    .addColumn('target_date', 'date')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('not-started'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'dev_plan_goals_status',
      sql`status in ('not-started', 'in-progress', 'achieved', 'dropped')`,
    )
    .execute();
  await db.schema.createIndex('dev_plan_goals_plan').on('dev_plan_goals').column('plan_id').execute();

  await db.schema
    .createTable('dev_plan_reviews')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('plan_id', 'integer', (c) => c.notNull().references('dev_plans.id').onDelete('cascade'))
    .addColumn('author_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('dev_plan_reviews_plan')
    .on('dev_plan_reviews')
    .columns(['plan_id', 'created_at'])
    .execute();

  const source = JSON.parse(
    readFileSync(path.join(projectRoot, 'reference-data', 'leadership-frameworks.json'), 'utf8'),
  ) as { frameworks: SourceFramework[] };
  for (const f of source.frameworks) {
    const fw = await db
      .insertInto('dev_frameworks')
      .values({ key: f.key, name: f.name, publisher: f.publisher })
      .returning('id')
      .executeTakeFirstOrThrow();
    const version = await db
      .insertInto('dev_framework_versions')
      .values({
        framework_id: fw.id,
        version_number: 1,
        edition: f.edition,
        note: [f.note, f.scale_note].filter(Boolean).join(' ') || null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('dev_scale_points')
      .values(
        f.scale.map((label, i) => ({
          version_id: version.id,
          value: i + 1,
          label,
          descriptor: DESCRIPTORS[label] ?? label,
        })),
      )
      .execute();
    let elementPosition = 0;
    for (const [i, d] of f.domains.entries()) {
      const domain = await db
        .insertInto('dev_domains')
        .values({ version_id: version.id, position: i + 1, name: d.name, optional: d.optional === true })
        .returning('id')
        .executeTakeFirstOrThrow();
      // The Healthcare Leadership Model rates its nine dimensions directly: each is its own element.
      const elements = d.elements.length ? d.elements : [d.name];
      await db
        .insertInto('dev_elements')
        .values(
          elements.map((name) => ({
            domain_id: domain.id,
            version_id: version.id,
            position: ++elementPosition,
            name,
          })),
        )
        .execute();
    }
  }
  await sql`insert into dev_framework_choices (scope, scope_key, framework_id)
    select 'network', 'default', id from dev_frameworks where key = 'mlcf-2010'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'dev_plan_reviews',
    'dev_plan_goals',
    'dev_plans',
    'dev_feedback_ratings',
    'dev_feedback_responses',
    'dev_raters',
    'dev_feedback_rounds',
    'dev_self_ratings',
    'dev_self_assessments',
    'dev_framework_choices',
    'dev_elements',
    'dev_domains',
    'dev_scale_points',
    'dev_framework_versions',
    'dev_frameworks',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
