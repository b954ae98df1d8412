import { type Kysely, sql } from 'kysely';

// The members module: profiles with per-section privacy, the controlled list of specialties,
// innovation projects, photos, employment history and erasure requests. Every directory query is
// served by an index here: trigram on the name, GIN on the three search vectors (one per audience,
// so free text never matches a section the searcher may not see) and on the tag arrays.

const SPECIALTIES: Record<string, string[]> = {
  doctor: [
    'Acute medicine',
    'Anaesthetics',
    'Cardiology',
    'Emergency medicine',
    'General practice',
    'General surgery',
    'Geriatric medicine',
    'Intensive care medicine',
    'Obstetrics and gynaecology',
    'Oncology',
    'Paediatrics',
    'Psychiatry',
    'Public health',
    'Radiology',
    'Respiratory medicine',
  ],
  nurse: [
    'Adult nursing',
    "Children's nursing",
    'Critical care nursing',
    'District nursing',
    'Learning disability nursing',
    'Mental health nursing',
    'Practice nursing',
    'Tissue viability',
  ],
  midwife: ['Community midwifery', 'Fetal medicine', 'Labour ward', 'Public health midwifery'],
  'allied-health-professional': [
    'Dietetics',
    'Occupational therapy',
    'Operating department practice',
    'Orthoptics',
    'Paramedic practice',
    'Physiotherapy',
    'Podiatry',
    'Radiography',
    'Speech and language therapy',
  ],
  pharmacist: ['Community pharmacy', 'Hospital pharmacy', 'Medicines optimisation', 'Primary care pharmacy'],
  'pharmacy-technician': ['Aseptic services', 'Dispensary', 'Medicines management'],
  dentist: ['Community dentistry', 'General dental practice', 'Oral surgery', 'Orthodontics'],
  'dental-care-professional': ['Dental hygiene', 'Dental nursing', 'Dental therapy'],
};

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('specialties')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('profession', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('specialties_profession_name', ['profession', 'name'])
    .execute();
  await db
    .insertInto('specialties')
    .values(
      Object.entries(SPECIALTIES).flatMap(([profession, names]) =>
        names.map((name) => ({ profession, name })),
      ),
    )
    .execute();

  const visibility = (name: string, fallback: string) =>
    sql.raw(`${name} text not null default '${fallback}' check (${name} in ('network', 'region', 'staff'))`);
  await sql`create table member_profiles (
    user_id integer primary key references users (id) on delete cascade,
    name text not null,
    profession text,
    registration_number text,
    registration_verified_at timestamptz,
    registration_verified_by integer references users (id) on delete set null,
    specialty_id integer references specialties (id),
    organisation_id integer references organisations (id),
    job_title text,
    region_code text not null references network_regions (code),
    intake_id integer references intakes (id),
    interests text[] not null default '{}',
    expertise text[] not null default '{}',
    leadership_roles text[] not null default '{}',
    biography text,
    contact_email text,
    contact_phone text,
    preferred_contact text not null default 'email' check (preferred_contact in ('email', 'phone', 'none')),
    status text not null default 'active' check (status in ('active', 'on-leave', 'alumnus', 'left')),
    status_since date not null default current_date,
    joined_on date not null default current_date,
    ${visibility('visibility_profile', 'network')},
    ${visibility('visibility_contact', 'region')},
    ${visibility('visibility_professional', 'network')},
    ${visibility('visibility_interests', 'network')},
    ${visibility('visibility_projects', 'network')},
    ${visibility('visibility_biography', 'network')},
    ${visibility('visibility_photo', 'network')},
    has_photo boolean not null default false,
    search_network tsvector not null default ''::tsvector,
    search_region tsvector not null default ''::tsvector,
    search_staff tsvector not null default ''::tsvector,
    erased_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`.execute(db);
  for (const statement of [
    'create index member_profiles_name_trgm on member_profiles using gin (name gin_trgm_ops)',
    'create index member_profiles_name on member_profiles (name, user_id)',
    'create index member_profiles_region on member_profiles (region_code, name)',
    'create index member_profiles_profession on member_profiles (profession, name)',
    'create index member_profiles_specialty on member_profiles (specialty_id)',
    'create index member_profiles_organisation on member_profiles (organisation_id, name)',
    'create index member_profiles_intake on member_profiles (intake_id)',
    'create index member_profiles_status on member_profiles (status)',
    'create index member_profiles_joined on member_profiles (joined_on)',
    'create index member_profiles_interests on member_profiles using gin (interests)',
    'create index member_profiles_expertise on member_profiles using gin (expertise)',
    'create index member_profiles_leadership on member_profiles using gin (leadership_roles)',
    'create index member_profiles_search_network on member_profiles using gin (search_network)',
    'create index member_profiles_search_region on member_profiles using gin (search_region)',
    'create index member_profiles_search_staff on member_profiles using gin (search_staff)',
  ]) {
    await sql.raw(statement).execute(db);
  }

  await db.schema
    .createTable('member_projects')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) =>
      c.notNull().references('member_profiles.user_id').onDelete('cascade'),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('member_projects_user').on('member_projects').column('user_id').execute();

  await db.schema
    .createTable('member_photos')
    .addColumn('user_id', 'integer', (c) =>
      c.primaryKey().references('member_profiles.user_id').onDelete('cascade'),
    )
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('employment_history')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('job_title', 'text')
    .addColumn('started_on', 'date', (c) => c.notNull())
    .addColumn('ended_on', 'date')
    .execute();
  await db.schema
    .createIndex('employment_history_user')
    .on('employment_history')
    .columns(['user_id', 'started_on'])
    .execute();
  await db.schema
    .createIndex('employment_history_organisation')
    .on('employment_history')
    .column('organisation_id')
    .execute();

  await db.schema
    .createTable('erasure_requests')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema
    .createIndex('erasure_requests_status')
    .on('erasure_requests')
    .columns(['status', 'requested_at'])
    .execute();
  await db.schema.createIndex('erasure_requests_user').on('erasure_requests').column('user_id').execute();

  // Organisation pages list successors and predecessors of merged trusts.
  await db.schema.createIndex('organisations_successor').on('organisations').column('successor_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('organisations_successor').ifExists().execute();
  for (const t of [
    'erasure_requests',
    'employment_history',
    'member_photos',
    'member_projects',
    'member_profiles',
    'specialties',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
