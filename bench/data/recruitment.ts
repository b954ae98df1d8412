/**
 * Recruitment: every member's accepted application in their cohort, applications in every state
 * in each region's open intake (the regional review list), declined and withdrawn applications in
 * past intakes, sponsor endorsements, and the audit trail of submissions and decisions.
 */
import { sql } from 'kysely';
import type { DB } from '../../src/db/database.ts';
import { londonDateAfter } from '../../src/platform/dates.ts';
import { PROFESSIONS } from '../../src/platform/registration.ts';
import { FIRST_NAMES, LAST_NAMES } from '../../src/seed/demo-people.ts';
import { BENCH_DOMAIN, bulkInsert, progress, type Rng, run } from './bulk.ts';
import type { Reference } from './members.ts';

const OPEN_MIX: [string, number][] = [
  ['submitted', 0.35],
  ['shortlisted', 0.15],
  ['offered', 0.1],
  ['waitlisted', 0.1],
  ['declined', 0.2],
  ['withdrawn', 0.1],
];
const DECISION_ACTION: Record<string, string> = {
  shortlisted: 'application.shortlist',
  offered: 'application.offer',
  waitlisted: 'application.waitlist',
  declined: 'application.decline',
  withdrawn: 'application.withdraw',
  accepted: 'application.accept',
};
const TEXT = {
  role: 'Leads a multidisciplinary team and the service improvement programme of the department.',
  experience:
    'Chaired the trust quality improvement group for three years and led the redesign of the discharge pathway.',
  motivation:
    'I want to connect clinicians across the region so that good practice spreads faster than it does now.',
};

function pickWeighted(r: Rng, mix: [string, number][]): string {
  let x = r.next();
  for (const [v, w] of mix) if ((x -= w) < 0) return v;
  return mix[mix.length - 1]![0];
}

const registerCase = sql.raw(
  `case p.profession ${PROFESSIONS.map((p) => `when '${p.key}' then '${p.register}'`).join(' ')} end`,
);

export async function insertRecruitment(db: DB, ref: Reference, r: Rng, members: number): Promise<number> {
  // 1. Every member joined through an accepted application in their cohort.
  const bar = progress('applications', members);
  const range = await sql<{ lo: number; hi: number }>`select min(user_id)::int as lo, max(user_id)::int as hi
    from member_profiles p join users u on u.id = p.user_id
    where u.email like ${`m%@${BENCH_DOMAIN}`}`.execute(db);
  const { lo, hi } = range.rows[0]!;
  let total = 0;
  const step = 5000;
  for (let from = lo; from <= hi; from += step) {
    total += await run(
      db,
      sql`insert into applications (reference, intake_id, region_code, status, given_name, family_name, email,
          profession, register, registration_number, employer_organisation_id, employer_ods_code, employer_name,
          job_title, role_summary, leadership_experience, motivation, sponsor_name, sponsor_email, consent_at,
          privacy_notice_version, source, submitted_at, decided_at, offered_at, accepted_at, user_id, updated_at)
        select 'CLN-M' || lpad(p.user_id::text, 7, '0'), p.intake_id, p.region_code, 'accepted',
          split_part(p.name, ' ', 1), split_part(p.name, ' ', 2), u.email, p.profession, ${registerCase},
          p.registration_number, o.id, coalesce(o.ods_code, ''), o.name, coalesce(p.job_title, 'Clinician'),
          ${TEXT.role}, ${TEXT.experience}, ${TEXT.motivation}, 'Sponsor ' || p.user_id,
          'sponsor' || p.user_id || ${`@${BENCH_DOMAIN}`}, i.opens_on - 30, '2026-01', 'bench',
          i.opens_on - 30, i.opens_on - 10, i.opens_on - 10, i.opens_on - 5, p.user_id, i.opens_on - 5
        from member_profiles p
        join users u on u.id = p.user_id
        join intakes i on i.id = p.intake_id
        join organisations o on o.id = p.organisation_id
        where p.user_id between ${from} and ${from + step - 1} and u.email like ${`m%@${BENCH_DOMAIN}`}`,
    );
    bar.update(Math.min(members, total));
  }
  bar.stop();

  // 2. Applications in the open intakes (every state) and refused ones in past intakes.
  const openCount = Math.round(members * 0.3);
  const pastCount = Math.round(members * 0.4);
  const c: Record<string, unknown[]> = {};
  const col = (k: string) => (c[k] ??= []);
  const waitRank = new Map<number, number>();
  const replyBy = londonDateAfter(14);
  for (let i = 0; i < openCount + pastCount; i++) {
    const open = i < openCount;
    const region = r.pick(ref.regions);
    const intake = open ? ref.openIntake.get(region) : r.pick(ref.pastIntakes.get(region) ?? []);
    if (!intake) continue;
    const status = open ? pickWeighted(r, OPEN_MIX) : r.chance(0.6) ? 'declined' : 'withdrawn';
    const given = r.pick(FIRST_NAMES);
    const family = r.pick(LAST_NAMES);
    const p = r.pick(PROFESSIONS);
    const trusts = ref.trustsByRegion.get(region) ?? [];
    const org = r.pick(trusts);
    const t = ref.trusts.get(org)!;
    const day = r.int(0, 150);
    const submitted = new Date(Date.UTC(open ? 2026 : 2021 + r.int(0, 4), 3, 1) + day * 86_400_000);
    const decided = status === 'submitted' ? null : new Date(submitted.getTime() + r.int(5, 40) * 86_400_000);
    let rank: number | null = null;
    if (status === 'waitlisted') {
      rank = (waitRank.get(intake) ?? 0) + 1;
      waitRank.set(intake, rank);
    }
    col('reference').push(`CLN-A${String(i).padStart(7, '0')}`);
    col('intake_id').push(intake);
    col('region_code').push(region);
    col('status').push(status);
    col('given_name').push(given);
    col('family_name').push(family);
    col('email').push(
      `a${i}.${given.toLowerCase()}.${family.toLowerCase().replace(/[^a-z]+/g, '')}@${BENCH_DOMAIN}`,
    );
    col('profession').push(p.key);
    col('register').push(p.register);
    col('registration_number').push(String(5_000_000 + i));
    col('employer_organisation_id').push(org);
    col('employer_ods_code').push(t.ods);
    col('employer_name').push(t.name);
    col('job_title').push('Consultant');
    col('role_summary').push(TEXT.role);
    col('leadership_experience').push(TEXT.experience);
    col('motivation').push(TEXT.motivation);
    col('sponsor_name').push(`Sponsor ${i}`);
    col('sponsor_email').push(`sponsor.a${i}@${BENCH_DOMAIN}`);
    col('consent_at').push(submitted.toISOString());
    col('privacy_notice_version').push('2026-01');
    col('waitlist_rank').push(rank);
    col('decision_reason').push(
      status === 'declined' ? 'Places were filled by applicants with more experience.' : null,
    );
    col('source').push('bench');
    col('submitted_at').push(submitted.toISOString());
    col('decided_at').push(decided?.toISOString() ?? null);
    col('offered_at').push(status === 'offered' ? decided!.toISOString() : null);
    // Outstanding offers are within their reply period, as in a live network (older ones would have
    // lapsed); a date in the past would have the server's first start lapse them all at once.
    col('offer_expires_on').push(status === 'offered' ? replyBy : null);
    col('withdrawn_at').push(status === 'withdrawn' ? decided!.toISOString() : null);
    col('updated_at').push((decided ?? submitted).toISOString());
  }
  const types: Record<string, string> = {
    intake_id: 'int',
    employer_organisation_id: 'int',
    waitlist_rank: 'int',
    consent_at: 'timestamptz',
    submitted_at: 'timestamptz',
    decided_at: 'timestamptz',
    offered_at: 'timestamptz',
    offer_expires_on: 'date',
    withdrawn_at: 'timestamptz',
    updated_at: 'timestamptz',
  };
  const n2 = c.reference!.length;
  const bar2 = progress('applications (open)', n2);
  await bulkInsert(
    db,
    'applications',
    Object.keys(c).map((k) => [k, types[k] ?? 'text']),
    c,
    { onBatch: (d) => bar2.update(d) },
  );
  bar2.stop();
  total += n2;

  // 3. Sponsors' endorsements and the audit trail.
  const bar3 = progress('endorsements, audit', 3);
  await run(
    db,
    sql`insert into endorsements (application_id, token_hash, status, comment, responded_at, expires_at, last_sent_at)
      select a.id, md5('bench-endorse-' || a.id), e.status,
        case when e.status = 'pending' then null else 'Known to me for several years.' end,
        case when e.status = 'pending' then null else a.submitted_at + interval '3 days' end,
        a.submitted_at + interval '28 days', a.submitted_at
      from applications a
      cross join lateral (select case
        when a.status = 'submitted' and a.id % 2 = 0 then 'pending'
        when a.status in ('declined', 'withdrawn') and a.id % 5 = 0 then 'not-endorsed'
        else 'endorsed' end as status) e
      where a.source = 'bench'`,
  );
  bar3.update(1);
  await run(
    db,
    sql`insert into audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, summary, details)
      select a.submitted_at, null, a.given_name || ' ' || a.family_name || ' <' || a.email || '>', 'application.submit',
        'application', a.id::text, 'Application ' || a.reference || ' submitted by ' || a.given_name || ' ' || a.family_name,
        null
      from applications a where a.source = 'bench'`,
  );
  bar3.update(2);
  const actions = sql.raw(
    `case a.status ${Object.entries(DECISION_ACTION)
      .map(([s, act]) => `when '${s}' then '${act}'`)
      .join(' ')} end`,
  );
  await run(
    db,
    sql`insert into audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, summary, details)
      select coalesce(a.accepted_at, a.decided_at), l.id, l.name || ' <' || l.email || '>', ${actions},
        'application', a.id::text, initcap(a.status) || ' ' || a.reference || ' (' || a.given_name || ' ' || a.family_name || ')',
        jsonb_build_object('to', a.status)
      from applications a
      cross join lateral (select u.id, u.name, u.email from role_assignments ra join users u on u.id = ra.user_id
        where ra.role = 'regional-lead' and ra.region_code = a.region_code order by u.id limit 1) l
      where a.source = 'bench' and a.status <> 'submitted'`,
  );
  bar3.update(3);
  bar3.stop();
  return total;
}
