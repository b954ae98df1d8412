import type { Executor } from '../../db/database.ts';
import { findAccountById } from '../../platform/accounts/accounts.service.ts';
import { recordAudit } from '../../platform/audit.ts';
import { londonDate } from '../../platform/dates.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { Actor, AnonymousActor } from '../../platform/permissions.ts';
import { type Profession, PROFESSIONS } from '../../platform/registration.ts';
import * as repo from './members.repository.ts';
import { checkRegistration, fail } from './members.shared.ts';
import type { MembershipStatus } from './members.table.ts';

export type CreateMemberProfileInput = {
  userId: number;
  regionCode: string;
  intakeId?: number | null;
  profession: Profession | string;
  registrationNumber?: string | null;
  organisationId?: number | null;
  jobTitle?: string | null;
  /** The name on the profile; the account's name when not given. */
  name?: string;
  specialtyId?: number | null;
  interests?: string[];
  expertise?: string[];
  status?: MembershipStatus;
};

/**
 * Creates a member's profile inside the caller's transaction, or brings an existing one up to date
 * (an existing member accepting a place in a new intake): recruitment calls this when an applicant
 * accepts an offer, the CSV imports for each member row, the demo seed for each demo member. The
 * one way a profile is made. Audited in the same transaction.
 */
export async function createMemberProfile(
  trx: Executor,
  input: CreateMemberProfileInput,
  actor: Actor | AnonymousActor | 'system',
): Promise<{ created: boolean }> {
  const user = await findAccountById(trx, input.userId);
  if (!user) throw new NotFoundError('Account not found');
  if (!PROFESSIONS.some((p) => p.key === input.profession)) fail('profession', 'Choose a profession');
  if (!(await repo.findRegion(trx, input.regionCode)))
    fail('regionCode', `There is no region ${input.regionCode}`);
  if (input.intakeId != null) {
    const intake = await repo.findIntake(trx, input.intakeId);
    if (!intake || intake.region_code !== input.regionCode)
      fail('intakeId', 'The intake is not one of this region');
  }
  if (input.organisationId != null && !(await repo.findOrganisationById(trx, input.organisationId)))
    fail('odsCode', 'The employer organisation was not found');
  if (input.specialtyId != null) {
    const specialty = await repo.findSpecialty(trx, input.specialtyId);
    if (!specialty || specialty.profession !== input.profession)
      fail('specialtyId', 'The specialty is not one of this profession');
  }
  const registrationNumber = checkRegistration(input.profession, input.registrationNumber ?? null);
  const existing = await repo.lockProfileRow(trx, input.userId);
  if (existing?.erased_at) throw new ConflictError("This member's profile has been erased");
  const organisationId = input.organisationId ?? null;
  const jobTitle = input.jobTitle ?? null;
  if (existing) {
    await repo.updateProfile(trx, input.userId, {
      ...(input.name ? { name: input.name } : {}),
      profession: input.profession,
      registration_number: registrationNumber,
      organisation_id: organisationId,
      job_title: jobTitle,
      region_code: input.regionCode,
      ...(input.specialtyId !== undefined ? { specialty_id: input.specialtyId } : {}),
      ...(input.interests ? { interests: input.interests } : {}),
      ...(input.expertise ? { expertise: input.expertise } : {}),
      ...(input.status && input.status !== existing.status
        ? { status: input.status, status_since: londonDate() }
        : {}),
      ...(input.intakeId != null ? { intake_id: input.intakeId } : {}),
    });
    if (existing.organisation_id !== organisationId)
      await repo.recordEmployment(trx, input.userId, organisationId, jobTitle);
    else if (existing.job_title !== jobTitle)
      await repo.updateOpenEmploymentTitle(trx, input.userId, jobTitle);
  } else {
    await repo.insertProfile(trx, {
      userId: input.userId,
      name: input.name ?? user.name,
      profession: input.profession,
      registrationNumber,
      organisationId,
      jobTitle,
      regionCode: input.regionCode,
      intakeId: input.intakeId ?? null,
      specialtyId: input.specialtyId ?? null,
      interests: input.interests,
      expertise: input.expertise,
      status: input.status,
    });
    if (organisationId !== null) await repo.recordEmployment(trx, input.userId, organisationId, jobTitle);
  }
  await repo.refreshSearchVectors(trx, [input.userId]);
  await recordAudit(trx, actor, {
    action: existing ? 'member.profile.update' : 'member.profile.create',
    entityType: 'member',
    entityId: input.userId,
    summary: `${existing ? 'Updated' : 'Created'} the member profile of user #${input.userId} in ${input.regionCode}`,
    details: { regionCode: input.regionCode, intakeId: input.intakeId ?? null, profession: input.profession },
  });
  return { created: !existing };
}
