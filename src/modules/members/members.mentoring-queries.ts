import type { Executor } from '../../db/database.ts';

/** What mentor matching needs to know about a member: never shown to other members as such. */
export type MentoringFacts = {
  userId: number;
  name: string;
  email: string;
  profession: string | null;
  organisationId: number | null;
  organisationName: string | null;
  specialtyId: number | null;
  specialtyName: string | null;
  regionCode: string;
  interests: string[];
  expertise: string[];
};

/**
 * Read-only facts about members with a current profile (not erased, not left), for the mentoring
 * module's matching and exclusions. Pass user ids to limit the result.
 */
export async function findMentoringFacts(
  executor: Executor,
  userIds: readonly number[],
): Promise<Map<number, MentoringFacts>> {
  const out = new Map<number, MentoringFacts>();
  if (userIds.length === 0) return out;
  const rows = await executor
    .selectFrom('member_profiles as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .leftJoin('organisations as o', 'o.id', 'p.organisation_id')
    .leftJoin('specialties as s', 's.id', 'p.specialty_id')
    .where('p.user_id', 'in', [...new Set(userIds)])
    .where('p.erased_at', 'is', null)
    .where('p.status', '!=', 'left')
    .where('u.disabled_at', 'is', null)
    .select([
      'p.user_id',
      'u.name',
      'u.email',
      'p.profession',
      'p.organisation_id',
      'o.name as organisation_name',
      'p.specialty_id',
      's.name as specialty_name',
      'p.region_code',
      'p.interests',
      'p.expertise',
    ])
    .execute();
  for (const r of rows)
    out.set(r.user_id, {
      userId: r.user_id,
      name: r.name,
      email: r.email,
      profession: r.profession,
      organisationId: r.organisation_id,
      organisationName: r.organisation_name,
      specialtyId: r.specialty_id,
      specialtyName: r.specialty_name,
      regionCode: r.region_code,
      interests: r.interests,
      expertise: r.expertise,
    });
  return out;
}
