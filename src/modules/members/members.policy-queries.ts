import type { Executor } from '../../db/database.ts';
import { CURRENT_MEMBERSHIP } from './members.membership-queries.ts';

/**
 * What the policy channel needs to know about a member to aim a call at them and to count their
 * response in its groups: region, profession, specialty, intake (cohort) and setting (the kind of
 * their employer: trust, GP practice, …). Never shown to other members as such.
 */
export type PolicyFacts = {
  userId: number;
  name: string;
  email: string;
  regionCode: string;
  profession: string | null;
  specialtyId: number | null;
  specialtyName: string | null;
  intakeId: number | null;
  organisationId: number | null;
  organisationName: string | null;
  setting: string | null;
};

/** The member's policy facts, if they are a current member (not erased, not left). Read-only. */
export async function findPolicyFacts(executor: Executor, userId: number): Promise<PolicyFacts | undefined> {
  const row = await executor
    .selectFrom('member_profiles as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .leftJoin('organisations as o', 'o.id', 'p.organisation_id')
    .leftJoin('specialties as s', 's.id', 'p.specialty_id')
    .where('p.user_id', '=', userId)
    .where('p.erased_at', 'is', null)
    .where('p.status', 'in', [...CURRENT_MEMBERSHIP])
    .select([
      'p.user_id',
      'u.name',
      'u.email',
      'p.region_code',
      'p.profession',
      'p.specialty_id',
      's.name as specialty_name',
      'p.intake_id',
      'p.organisation_id',
      'o.name as organisation_name',
      'o.kind as setting',
    ])
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    userId: row.user_id,
    name: row.name,
    email: row.email,
    regionCode: row.region_code,
    profession: row.profession,
    specialtyId: row.specialty_id,
    specialtyName: row.specialty_name,
    intakeId: row.intake_id,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    setting: row.setting,
  };
}

/** Who a call is aimed at: empty lists mean everyone; the dimensions combine with AND. */
export type PolicyAudience = {
  regions: string[];
  professions: string[];
  specialtyIds: number[];
  intakeId: number | null;
};

export type PolicyGroup = { dimension: 'profession' | 'region' | 'specialty' | 'setting'; value: string };

function currentAudience(executor: Executor, audience: PolicyAudience) {
  let q = executor
    .selectFrom('member_profiles as p')
    .where('p.erased_at', 'is', null)
    .where('p.status', 'in', [...CURRENT_MEMBERSHIP]);
  if (audience.regions.length) q = q.where('p.region_code', 'in', audience.regions);
  if (audience.professions.length) q = q.where('p.profession', 'in', audience.professions);
  if (audience.specialtyIds.length) q = q.where('p.specialty_id', 'in', audience.specialtyIds);
  if (audience.intakeId !== null) q = q.where('p.intake_id', '=', audience.intakeId);
  return q;
}

/**
 * A batch of the current members a call is aimed at (optionally only one group of them), in user
 * id order after `afterUserId`: the task that emails an audience walks it batch by batch.
 * `excludeRespondedTo` leaves out members with a submitted response to that call.
 */
export async function listPolicyAudienceBatch(
  executor: Executor,
  audience: PolicyAudience,
  opts: { afterUserId: number; limit: number; group?: PolicyGroup; excludeRespondedTo?: number },
): Promise<{ userId: number; name: string; email: string }[]> {
  let q = currentAudience(executor, audience)
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .where('u.disabled_at', 'is', null)
    .where('p.user_id', '>', opts.afterUserId);
  const g = opts.group;
  if (g?.dimension === 'region') q = q.where('p.region_code', '=', g.value);
  if (g?.dimension === 'profession') q = q.where('p.profession', '=', g.value);
  if (g?.dimension === 'specialty') q = q.where('p.specialty_id', '=', Number(g.value) || -1);
  if (g?.dimension === 'setting')
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('organisations as o')
          .select('o.id')
          .whereRef('o.id', '=', 'p.organisation_id')
          .where('o.kind', '=', g.value),
      ),
    );
  if (opts.excludeRespondedTo !== undefined) {
    const callId = opts.excludeRespondedTo;
    q = q.where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('policy_responses as r')
            .select('r.id')
            .whereRef('r.user_id', '=', 'p.user_id')
            .where('r.call_id', '=', callId)
            .where('r.status', '=', 'submitted'),
        ),
      ),
    );
  }
  const rows = await q
    .select(['p.user_id', 'u.name', 'u.email'])
    .orderBy('p.user_id')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({ userId: r.user_id, name: r.name, email: r.email }));
}

/**
 * The make-up of a call's audience in the network: how many current members fall in each group of
 * one dimension (region, profession, specialty or setting = employer kind). Counts only, no names.
 */
export async function countPolicyAudienceBy(
  executor: Executor,
  audience: PolicyAudience,
  dimension: PolicyGroup['dimension'],
): Promise<{ value: string | null; count: number }[]> {
  const base = currentAudience(executor, audience);
  const rows =
    dimension === 'region'
      ? await base
          .select((eb) => ['p.region_code as value', eb.fn.countAll<string>().as('n')])
          .groupBy('p.region_code')
          .execute()
      : dimension === 'profession'
        ? await base
            .select((eb) => ['p.profession as value', eb.fn.countAll<string>().as('n')])
            .groupBy('p.profession')
            .execute()
        : dimension === 'specialty'
          ? await base
              .select((eb) => [
                eb.cast<string>('p.specialty_id', 'text').as('value'),
                eb.fn.countAll<string>().as('n'),
              ])
              .groupBy('p.specialty_id')
              .execute()
          : await base
              .leftJoin('organisations as o', 'o.id', 'p.organisation_id')
              .select((eb) => ['o.kind as value', eb.fn.countAll<string>().as('n')])
              .groupBy('o.kind')
              .execute();
  return rows.map((r) => ({ value: (r.value as string | null) ?? null, count: Number(r.n) }));
}

/** Names for the groups a call's audience and participation are shown in. */
export async function listPolicyReferenceLists(executor: Executor) {
  const [regions, specialties, intakes, settings] = await Promise.all([
    executor.selectFrom('network_regions').select(['code', 'name']).orderBy('code').execute(),
    executor.selectFrom('specialties').select(['id', 'name', 'profession']).orderBy('name').execute(),
    executor
      .selectFrom('intakes as i')
      .innerJoin('network_regions as r', 'r.code', 'i.region_code')
      .select(['i.id', 'i.name', 'i.region_code', 'r.name as region_name'])
      .orderBy('i.region_code')
      .orderBy('i.opens_on', 'desc')
      .limit(500)
      .execute(),
    executor.selectFrom('organisations').select('kind').distinct().orderBy('kind').limit(50).execute(),
  ]);
  return {
    regions,
    specialties,
    intakes: intakes.map((i) => ({
      id: i.id,
      name: i.name,
      regionCode: i.region_code,
      regionName: i.region_name,
    })),
    settings: settings.map((s) => s.kind),
  };
}
