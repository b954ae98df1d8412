import { type Kysely, sql } from 'kysely';

// An offer of a place has a reply-by date (OFFER_REPLY_DAYS after it is made, 14 by default). The
// hourly recruitment.expire-offers task lapses offers not accepted by the end of that day and offers
// the freed places to the waitlist. Offers standing when this runs were made without a date, so they
// get 14 days from now (or from when they were made, if later): none lapses on the upgrade itself.
// The partial index finds the offers due to lapse without reading other applications.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table applications add column offer_expires_on date`.execute(db);
  await sql`update applications set offer_expires_on = greatest(current_date, offered_at::date) + 14
    where status = 'offered'`.execute(db);
  await sql`create index applications_offer_expiry on applications (offer_expires_on) where status = 'offered'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists applications_offer_expiry`.execute(db);
  await sql`alter table applications drop column if exists offer_expires_on`.execute(db);
}
