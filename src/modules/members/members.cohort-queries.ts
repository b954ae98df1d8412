import type { Executor } from '../../db/database.ts';
import type { Actor } from '../../platform/permissions.ts';
import { audienceOf, canSee, viewerFor } from './members.privacy.ts';
import type { Visibility } from './members.table.ts';
import { professionLabel } from './members.service.ts';

/** One active member of a cohort, with the attributes set formation diversifies on. */
export type CohortMember = {
  userId: number;
  name: string;
  email: string;
  profession: string | null;
  professionLabel: string | null;
  organisationId: number | null;
  organisationName: string | null;
  /** The organisation's parent (an ICB or other system), for diversity across systems. */
  systemName: string | null;
  specialtyName: string | null;
  jobTitle: string | null;
};

/**
 * The active members of a region's intake (a cohort), by name. Read-only; for staff use (set
 * formation), so it returns what the grouping needs regardless of directory privacy, and nothing
 * is shown to other members from it.
 */
export async function listCohortMembers(
  executor: Executor,
  regionCode: string,
  intakeId: number,
): Promise<CohortMember[]> {
  const rows = await executor
    .selectFrom('member_profiles as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .leftJoin('organisations as o', 'o.id', 'p.organisation_id')
    .leftJoin('organisations as parent', 'parent.id', 'o.parent_id')
    .leftJoin('specialties as s', 's.id', 'p.specialty_id')
    .where('p.region_code', '=', regionCode)
    .where('p.intake_id', '=', intakeId)
    .where('p.status', '=', 'active')
    .where('p.erased_at', 'is', null)
    .where('u.disabled_at', 'is', null)
    .select([
      'p.user_id',
      'p.name',
      'u.email',
      'p.profession',
      'p.organisation_id',
      'o.name as organisation_name',
      'parent.name as system_name',
      's.name as specialty_name',
      'p.job_title',
    ])
    .orderBy('p.name')
    .orderBy('p.user_id')
    .execute();
  return rows.map((r) => ({
    userId: r.user_id,
    name: r.name,
    email: r.email,
    profession: r.profession,
    professionLabel: professionLabel(r.profession),
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    systemName: r.system_name,
    specialtyName: r.specialty_name,
    jobTitle: r.job_title,
  }));
}

/** A member as a fellow set member or the set's staff may see them: hidden sections are null. */
export type MemberCard = {
  userId: number;
  name: string;
  jobTitle: string | null;
  organisationName: string | null;
  professionLabel: string | null;
  specialtyName: string | null;
  contact: { email: string | null; phone: string | null } | null;
};

/**
 * Cards for the given members as `actor` may see them under each member's privacy choices
 * (profile, professional and contact sections). Members with no profile are left out.
 */
export async function listMemberCards(
  executor: Executor,
  actor: Pick<Actor, 'userId' | 'roles'>,
  userIds: readonly number[],
): Promise<MemberCard[]> {
  if (userIds.length === 0) return [];
  const rows = await executor
    .selectFrom('member_profiles as p')
    .leftJoin('organisations as o', 'o.id', 'p.organisation_id')
    .leftJoin('specialties as s', 's.id', 'p.specialty_id')
    .where('p.user_id', 'in', [...userIds])
    .select([
      'p.user_id',
      'p.name',
      'p.region_code',
      'p.job_title',
      'p.profession',
      'o.name as organisation_name',
      's.name as specialty_name',
      'p.contact_email',
      'p.contact_phone',
      'p.visibility_profile',
      'p.visibility_professional',
      'p.visibility_contact',
    ])
    .orderBy('p.name')
    .execute();
  return rows.map((r) => {
    const audience = audienceOf(viewerFor(actor), { userId: r.user_id, regionCode: r.region_code });
    const see = (v: string) => canSee(audience, v as Visibility);
    const profile = see(r.visibility_profile);
    return {
      userId: r.user_id,
      name: r.name,
      jobTitle: profile ? r.job_title : null,
      organisationName: profile ? r.organisation_name : null,
      professionLabel: see(r.visibility_professional) ? professionLabel(r.profession) : null,
      specialtyName: see(r.visibility_professional) ? r.specialty_name : null,
      contact: see(r.visibility_contact) ? { email: r.contact_email, phone: r.contact_phone } : null,
    };
  });
}
