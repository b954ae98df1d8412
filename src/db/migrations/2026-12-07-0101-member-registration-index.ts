import { type Kysely, sql } from 'kysely';

// Applying checks that the applicant is not already a current member, by registration number as
// well as by email (users.email is unique already): this index answers it at 100,000 members.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index member_profiles_registration on member_profiles (registration_number)
    where registration_number is not null and erased_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists member_profiles_registration`.execute(db);
}
