import { type Kysely, sql } from 'kysely';

// One live application per person across the network (every region and intake), by email
// (case-insensitive) or by registration number (register and number, stored normalised). Live
// means still being decided: submitted, shortlisted, offered or waitlisted. Declined and withdrawn
// are final; an accepted application makes its applicant a member, and a current member may not
// apply again (the service checks the membership, which lives in member_profiles). These indexes
// make two simultaneous submissions of one person give one application. The existing per-intake
// indexes stay: within one intake, even a declined application blocks a second one.
//
// A database that already holds two live applications of one person cannot take the index: this
// stops with the references to settle (withdraw or decline one of each pair), and changes nothing.
const LIVE = sql`status in ('submitted', 'shortlisted', 'offered', 'waitlisted')`;

export async function up(db: Kysely<any>): Promise<void> {
  const clashes = await sql<{ key: string; refs: string }>`
    select key, string_agg(reference, ', ' order by reference) as refs from (
      select lower(email) as key, reference from applications where ${LIVE}
      union all
      select register || ' ' || registration_number, reference from applications where ${LIVE}
    ) x group by key having count(*) > 1 order by key limit 20`.execute(db);
  if (clashes.rows.length)
    throw new Error(
      'Some people have more than one live application; withdraw or decline all but one of each, then migrate again: ' +
        clashes.rows.map((c) => c.refs).join('; '),
    );
  await sql`create unique index applications_live_email on applications (lower(email)) where ${LIVE}`.execute(
    db,
  );
  await sql`create unique index applications_live_registration on applications (register, registration_number) where ${LIVE}`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists applications_live_registration`.execute(db);
  await sql`drop index if exists applications_live_email`.execute(db);
}
