/**
 * The bench accounts (one per role, bench/scenarios.ts) and what they need to have something to
 * show: the member and mentor get profiles in Q34, the member joins a Q34 learning set, the mentor
 * gets a mentee, the applicant owns an application in Q34's open intake.
 */
import { sql } from 'kysely';
import type { Config } from '../../src/config.ts';
import type { DB } from '../../src/db/database.ts';
import { createAccountsService } from '../../src/platform/accounts/accounts.service.ts';
import { BENCH_ACCOUNTS, BENCH_PASSWORD } from '../scenarios.ts';
import { existingTables } from './bulk.ts';
import { refreshSearchVectors as refreshSearchVectorsOf } from './members.ts';

export async function ensureBenchAccounts(db: DB, config: Config): Promise<Map<string, number>> {
  const accounts = createAccountsService({ db, config });
  const ids = new Map<string, number>();
  for (const a of BENCH_ACCOUNTS) {
    const found = await accounts.findUserByEmail(a.email);
    if (found) {
      ids.set(a.role, found.id);
      continue;
    }
    await accounts.createUser(
      {
        email: a.email,
        name: a.name,
        password: BENCH_PASSWORD,
        roles: [{ role: a.role, regionCode: a.region }],
      },
      'system',
    );
    ids.set(a.role, (await accounts.findUserByEmail(a.email))!.id);
  }
  return ids;
}

/** Gives the bench accounts data to look at; safe to run again. */
export async function attachBenchAccounts(db: DB, ids: Map<string, number>): Promise<void> {
  const tables = await existingTables(db);
  for (const role of ['member', 'mentor'] as const) {
    const id = ids.get(role)!;
    await sql`insert into member_profiles (user_id, name, profession, specialty_id, organisation_id, job_title,
        region_code, intake_id, interests, expertise, leadership_roles, biography, contact_email, joined_on, status_since)
      select u.id, u.name, p.profession, p.specialty_id, p.organisation_id, p.job_title, p.region_code, p.intake_id,
        p.interests, p.expertise, p.leadership_roles, p.biography, u.email, p.joined_on, p.status_since
      from users u cross join lateral (select * from member_profiles x where x.region_code = 'Q34'
        and x.user_id <> u.id order by x.user_id limit 1) p
      where u.id = ${id} on conflict (user_id) do nothing`.execute(db);
    await refreshSearchVectorsOf(db, [id]);
  }
  const member = ids.get('member')!;
  const mentor = ids.get('mentor')!;
  await sql`insert into role_assignments (user_id, role, region_code) values (${mentor}, 'member', 'Q34')
    on conflict do nothing`.execute(db);
  await sql`update applications set user_id = ${ids.get('applicant')!}
    where id = (select min(id) from applications where region_code = 'Q34' and status = 'submitted' and source = 'bench')
      and not exists (select 1 from applications where user_id = ${ids.get('applicant')!})`.execute(db);
  if (tables.has('ls_set_members')) {
    await sql`insert into ls_set_members (formation_id, set_id, user_id, person_index)
      select s.formation_id, s.id, ${member}, 99 from ls_sets s where s.region_code = 'Q34' order by s.id limit 1
      on conflict do nothing`.execute(db);
    await sql`insert into ls_facilitators (user_id, region_code, organisation_id, is_lead, max_sets)
      select ${ids.get('facilitator')!}, 'Q34', (select id from organisations where kind = 'supplier' order by id limit 1), false, 20
      on conflict do nothing`.execute(db);
    await sql`update ls_sets set facilitator_user_id = ${ids.get('facilitator')!}
      where id = (select min(id) from ls_sets where region_code = 'Q34')`.execute(db);
  }
  if (tables.has('mentoring_offers')) {
    await sql`insert into mentoring_offers (user_id, capacity, areas) values (${mentor}, 3, '{"sepsis"}')
      on conflict do nothing`.execute(db);
    await sql`update mentoring_relationships set mentor_user_id = ${mentor}
      where id = (select min(id) from mentoring_relationships where region_code = 'Q34' and status = 'active')
        and not exists (select 1 from mentoring_relationships where mentor_user_id = ${mentor})`.execute(db);
    await sql`insert into mentoring_requests (user_id, status, goals, goal_areas)
      select ${member}, 'waiting', 'Grow as a leader.', '{"sepsis"}'
      where not exists (select 1 from mentoring_requests where user_id = ${member})`.execute(db);
  }
}
