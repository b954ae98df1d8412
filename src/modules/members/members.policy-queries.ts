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
