import type { DB, Executor } from '../../db/database.ts';
import { findAccountById, renameAccount } from '../../platform/accounts/accounts.service.ts';
import { recordAudit } from '../../platform/audit.ts';
import { londonDate } from '../../platform/dates.ts';
import { cachedFor, REFERENCE_TTL_MS } from '../../platform/cache.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, type AnonymousActor, isNational, requireRole } from '../../platform/permissions.ts';
import {
  checkRegistrationNumber,
  normaliseRegistrationNumber,
  type Profession,
  PROFESSIONS,
  registerForProfession,
} from '../../platform/registration.ts';
import {
  audienceOf,
  canSee,
  isStaffFor,
  isStaffView,
  SYSTEM_VIEWER,
  type Viewer,
  viewerFor,
} from './members.privacy.ts';
import * as repo from './members.repository.ts';
import { processPhoto, renderBiography } from './members.render.ts';
import {
  type DirectoryQuery,
  type ProfileUpdate,
  SECTIONS,
  type Section,
  STAGE_LABELS,
  STATUS_LABELS,
} from './members.schemas.ts';
import type { MembershipStatus, Visibility } from './members.table.ts';

export const DIRECTORY_PAGE_SIZE = 20;

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

export function professionLabel(key: string | null): string | null {
  return PROFESSIONS.find((p) => p.key === key)?.label ?? null;
}

function fail(field: string, message: string): never {
  throw new ValidationError([{ field, message }]);
}

function checkRegistration(profession: string | null, number: string | null): string | null {
  if (!number) return null;
  if (!profession) fail('registrationNumber', 'Choose your profession before entering a registration number');
  const message = checkRegistrationNumber(registerForProfession(profession as Profession), number);
  if (message) fail('registrationNumber', message);
  return normaliseRegistrationNumber(number);
}

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

type ProjectRow = Awaited<ReturnType<typeof repo.listProjects>>[number];

/** A profile as one viewer may see it: hidden sections are null, never an empty placeholder. */
export function presentProfile(p: repo.ProfileWithNames, projects: ProjectRow[], viewer: Viewer) {
  const audience = audienceOf(viewer, { userId: p.user_id, regionCode: p.region_code });
  const see = (s: Exclude<Section, 'profile'>) => canSee(audience, p[`visibility_${s}`] as Visibility);
  const own = viewer.userId === p.user_id;
  return {
    id: p.user_id,
    name: p.name,
    jobTitle: p.job_title,
    organisation: p.organisation_name ? { odsCode: p.organisation_ods, name: p.organisation_name } : null,
    region: { code: p.region_code, name: p.region_name },
    cohort: p.intake_id && p.intake_name ? { intakeId: p.intake_id, name: p.intake_name } : null,
    status: p.status,
    statusSince: p.status_since,
    joinedOn: p.joined_on,
    professional: see('professional')
      ? {
          profession: p.profession ?? '',
          professionLabel: professionLabel(p.profession) ?? 'Not given',
          registrationNumber: p.registration_number,
          registrationVerified: p.registration_verified_at !== null,
          specialty: p.specialty_name,
        }
      : null,
    contact: see('contact')
      ? { email: p.contact_email, phone: p.contact_phone, preferred: p.preferred_contact }
      : null,
    interests: see('interests')
      ? { interests: p.interests, expertise: p.expertise, leadershipRoles: p.leadership_roles }
      : null,
    projects: see('projects')
      ? projects.map((x) => ({ id: x.id, title: x.title, summary: x.summary, stage: x.stage }))
      : null,
    biographyMarkdown: see('biography') ? p.biography : null,
    biographyHtml: see('biography') && p.biography ? renderBiography(p.biography) : null,
    photoUrl: p.has_photo && see('photo') ? `/members/${p.user_id}/photo` : null,
    visibility: own ? Object.fromEntries(SECTIONS.map((s) => [s, p[`visibility_${s}`] as Visibility])) : null,
  };
}
export type ProfileView = ReturnType<typeof presentProfile>;

/** A directory row with its region's and specialty's names. */
export type DirectoryRow = Omit<repo.DirectoryQueryRow, 'specialty_id'> & {
  region_name: string;
  specialty_name: string | null;
};

const nameMaps = new WeakMap<object, Map<unknown, string>>();

/** A cached reference list as a map from key to name (built once per list read). */
async function namesOf<T, K>(
  list: { get(): Promise<T[]> },
  entry: (row: T) => [K, string],
): Promise<Map<K, string>> {
  const rows = await list.get();
  let names = nameMaps.get(rows) as Map<K, string> | undefined;
  if (!names) {
    names = new Map(rows.map(entry));
    nameMaps.set(rows, names as Map<unknown, string>);
  }
  return names;
}

const FIELD_LABELS: Partial<Record<keyof ProfileUpdate, string>> = {
  name: 'name',
  profession: 'profession',
  registrationNumber: 'registration number',
  specialtyId: 'specialty',
  odsCode: 'employer',
  jobTitle: 'job title',
  regionCode: 'region',
  interests: 'interests',
  expertise: 'expertise',
  leadershipRoles: 'leadership roles',
  biography: 'biography',
  contactEmail: 'contact email',
  contactPhone: 'contact telephone',
  preferredContact: 'contact preference',
  status: 'membership status',
};

export function createMembersService(deps: { db: DB }) {
  const { db } = deps;

  async function viewerOf(actor: Actor | 'system'): Promise<Viewer> {
    if (actor === 'system') return SYSTEM_VIEWER;
    return viewerFor(actor, await repo.findOwnRegion(db, actor.userId));
  }

  /** Every member has a profile: one recruitment did not create is started on first visit. */
  async function ensureOwnProfile(actor: Actor): Promise<repo.ProfileWithNames> {
    const found = await repo.findProfile(db, actor.userId);
    if (found) return found;
    const erased = await repo.findProfileState(db, actor.userId);
    if (erased) throw new NotFoundError('This profile has been erased');
    const grant = actor.roles.find((g) => (g.role === 'member' || g.role === 'mentor') && g.regionCode);
    if (!grant) throw new NotFoundError('Only members of the network have a profile');
    await db.transaction().execute(async (trx) => {
      if (await repo.findProfileState(trx, actor.userId)) return;
      const user = await findAccountById(trx, actor.userId);
      if (!user) throw new NotFoundError('Account not found');
      await repo.insertProfile(trx, {
        userId: actor.userId,
        name: user.name,
        profession: null,
        registrationNumber: null,
        organisationId: null,
        jobTitle: null,
        regionCode: grant.regionCode!,
        intakeId: null,
      });
      await repo.refreshSearchVectors(trx, [actor.userId]);
      await recordAudit(trx, actor, {
        action: 'member.profile.create',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Started the member profile of user #${actor.userId} on first visit`,
      });
    });
    return (await repo.findProfile(db, actor.userId))!;
  }

  async function getOwnProfile(actor: Actor) {
    const row = await ensureOwnProfile(actor);
    const projects = await repo.listProjects(db, actor.userId);
    return {
      profile: presentProfile(row, projects, viewerFor(actor, row.region_code)),
      row,
      employment: await repo.listEmployment(db, actor.userId),
    };
  }

  /** Another member's profile, as this viewer may see it. A staff view of the full record is audited. */
  async function viewProfile(actor: Actor, userId: number) {
    if (userId === actor.userId) return (await getOwnProfile(actor)).profile;
    const row = await repo.findProfile(db, userId);
    const viewer = await viewerOf(actor);
    const member = { userId, regionCode: row?.region_code ?? '' };
    if (!row || !canSee(audienceOf(viewer, member), row.visibility_profile))
      throw new NotFoundError('Member not found');
    const projects = await repo.listProjects(db, userId);
    if (isStaffView(viewer, member)) {
      await recordAudit(db, actor, {
        action: 'member.view',
        entityType: 'member',
        entityId: userId,
        summary: `Viewed the full record of member #${userId}`,
      });
    }
    return presentProfile(row, projects, viewer);
  }

  async function resolveOrganisation(x: Executor, odsCode: string) {
    const org = await repo.findOrganisationByOds(x, odsCode);
    if (!org)
      fail('odsCode', `No NHS organisation has the ODS code ${odsCode}. Check the code, for example RRK`);
    return org;
  }

  /** The member changes their own profile; only fields present in the input change. */
  async function updateOwnProfile(actor: Actor, input: ProfileUpdate) {
    const current = await ensureOwnProfile(actor);
    const changes: repo.ProfileChanges = {};
    const changed: string[] = [];
    const mark = (k: keyof ProfileUpdate) => {
      const label = FIELD_LABELS[k];
      if (label) changed.push(label);
    };
    await db.transaction().execute(async (trx) => {
      const profession = input.profession ?? current.profession;
      if (input.name !== undefined && input.name !== current.name) {
        changes.name = input.name;
        mark('name');
      }
      if (input.profession !== undefined && input.profession !== current.profession) {
        changes.profession = input.profession;
        mark('profession');
      }
      const registrationInput =
        input.registrationNumber !== undefined ? input.registrationNumber : current.registration_number;
      const registration = checkRegistration(profession, registrationInput ?? null);
      if (registration !== current.registration_number) {
        changes.registration_number = registration;
        // A new number has not been checked against the register.
        changes.registration_verified_at = null;
        changes.registration_verified_by = null;
        mark('registrationNumber');
      }
      if (input.specialtyId !== undefined || changes.profession) {
        const specialtyId = input.specialtyId !== undefined ? input.specialtyId : current.specialty_id;
        if (specialtyId != null) {
          const s = await repo.findSpecialty(trx, specialtyId);
          if (!s || s.profession !== profession)
            fail('specialtyId', 'Choose a specialty from the list for your profession');
        }
        if (specialtyId !== current.specialty_id) {
          changes.specialty_id = specialtyId ?? null;
          mark('specialtyId');
        }
      }
      let organisation: { id: number; sha_code: string | null } | null | undefined;
      if (input.odsCode !== undefined) {
        organisation = input.odsCode === null ? null : await resolveOrganisation(trx, input.odsCode);
        if ((organisation?.id ?? null) !== current.organisation_id) {
          changes.organisation_id = organisation?.id ?? null;
          mark('odsCode');
        }
      }
      if (input.jobTitle !== undefined && input.jobTitle !== current.job_title) {
        changes.job_title = input.jobTitle ?? null;
        mark('jobTitle');
      }
      if (input.regionCode !== undefined || changes.organisation_id !== undefined) {
        // Explicit choice wins; otherwise the region follows the employer's strategic health authority area.
        let region = input.regionCode ?? null;
        if (!region) {
          const org =
            organisation !== undefined
              ? organisation
              : current.organisation_id
                ? ((await repo.findOrganisationById(trx, current.organisation_id)) ?? null)
                : null;
          region = org?.sha_code ?? current.region_code;
        }
        if (!(await repo.findRegion(trx, region))) fail('regionCode', `There is no region ${region}`);
        if (region !== current.region_code) {
          changes.region_code = region;
          mark('regionCode');
        }
      }
      for (const [key, column] of [
        ['interests', 'interests'],
        ['expertise', 'expertise'],
        ['leadershipRoles', 'leadership_roles'],
      ] as const) {
        const v = input[key];
        if (v !== undefined && v.join('\u0000') !== current[column].join('\u0000')) {
          changes[column] = v;
          mark(key);
        }
      }
      if (input.biography !== undefined && input.biography !== current.biography) {
        changes.biography = input.biography ?? null;
        mark('biography');
      }
      if (input.contactEmail !== undefined && input.contactEmail !== current.contact_email) {
        changes.contact_email = input.contactEmail ?? null;
        mark('contactEmail');
      }
      if (input.contactPhone !== undefined && input.contactPhone !== current.contact_phone) {
        changes.contact_phone = input.contactPhone ?? null;
        mark('contactPhone');
      }
      if (input.preferredContact !== undefined && input.preferredContact !== current.preferred_contact) {
        changes.preferred_contact = input.preferredContact;
        mark('preferredContact');
      }
      if (input.status !== undefined && input.status !== current.status) {
        changes.status = input.status;
        changes.status_since = new Date().toISOString().slice(0, 10);
        mark('status');
      }
      for (const s of SECTIONS) {
        const key = `visibility${s.charAt(0).toUpperCase()}${s.slice(1)}` as keyof ProfileUpdate;
        const v = input[key] as Visibility | undefined;
        const column = `visibility_${s}` as const;
        if (v !== undefined && v !== current[column]) {
          changes[column] = v;
          changed.push(`who sees: ${s}`);
        }
      }
      if (!changed.length) return;
      await repo.updateProfile(trx, actor.userId, changes);
      if (changes.name) {
        await renameAccount(trx, actor.userId, changes.name);
      }
      if (changes.organisation_id !== undefined) {
        await repo.recordEmployment(
          trx,
          actor.userId,
          changes.organisation_id,
          changes.job_title ?? current.job_title,
        );
      } else if (changes.job_title !== undefined) {
        await repo.updateOpenEmploymentTitle(trx, actor.userId, changes.job_title);
      }
      await repo.refreshSearchVectors(trx, [actor.userId]);
      await recordAudit(trx, actor, {
        action: 'member.profile.update',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} changed their ${changed.join(', ')}`,
        details: { fields: changed },
      });
    });
    return changed;
  }

  /** Marks a registration number as checked against the register (regional lead of the member's region, or national). */
  async function setRegistrationVerified(actor: Actor, userId: number, verified: boolean) {
    await db.transaction().execute(async (trx) => {
      const p = await repo.findProfile(trx, userId);
      if (!p) throw new NotFoundError('Member not found');
      requireRole(actor, ['regional-lead'], p.region_code);
      if (verified && !p.registration_number)
        throw new ConflictError('This member has not given a registration number to verify');
      await repo.updateProfile(trx, userId, {
        registration_verified_at: verified ? new Date() : null,
        registration_verified_by: verified ? actor.userId : null,
      });
      await recordAudit(trx, actor, {
        action: verified ? 'member.registration.verify' : 'member.registration.unverify',
        entityType: 'member',
        entityId: userId,
        summary: `${verified ? 'Verified' : 'Removed verification of'} the registration number of member #${userId}`,
      });
    });
  }

  async function addProject(actor: Actor, input: { title: string; summary: string; stage: string }) {
    await ensureOwnProfile(actor);
    return db.transaction().execute(async (trx) => {
      if ((await repo.countProjects(trx, actor.userId)) >= 20)
        throw new ConflictError('You can list up to 20 projects. Remove one first.');
      const { id } = await repo.insertProject(trx, { userId: actor.userId, ...input });
      await repo.refreshSearchVectors(trx, [actor.userId]);
      await recordAudit(trx, actor, {
        action: 'member.project.add',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} added a project (${STAGE_LABELS[input.stage as keyof typeof STAGE_LABELS]})`,
        details: { projectId: id },
      });
      return id;
    });
  }

  async function removeProject(actor: Actor, projectId: number) {
    await db.transaction().execute(async (trx) => {
      if (!(await repo.deleteProject(trx, actor.userId, projectId)))
        throw new NotFoundError('Project not found');
      await repo.refreshSearchVectors(trx, [actor.userId]);
      await recordAudit(trx, actor, {
        action: 'member.project.remove',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} removed a project`,
        details: { projectId },
      });
    });
  }

  async function uploadPhoto(actor: Actor, upload: Buffer) {
    await ensureOwnProfile(actor);
    const photo = await processPhoto(upload);
    await db.transaction().execute(async (trx) => {
      await repo.upsertPhoto(trx, actor.userId, photo.data, photo.contentType);
      await repo.updateProfile(trx, actor.userId, { has_photo: true });
      await recordAudit(trx, actor, {
        action: 'member.photo.upload',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} uploaded a photo`,
      });
    });
  }

  async function removePhoto(actor: Actor) {
    await db.transaction().execute(async (trx) => {
      await repo.deletePhoto(trx, actor.userId);
      await repo.updateProfile(trx, actor.userId, { has_photo: false });
      await recordAudit(trx, actor, {
        action: 'member.photo.remove',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} removed their photo`,
      });
    });
  }

  async function getPhoto(actor: Actor, userId: number) {
    const row = await repo.findProfile(db, userId);
    const viewer = await viewerOf(actor);
    const audience = row ? audienceOf(viewer, { userId, regionCode: row.region_code }) : 'network';
    if (
      !row ||
      !row.has_photo ||
      !canSee(audience, row.visibility_profile) ||
      !canSee(audience, row.visibility_photo)
    )
      throw new NotFoundError('Photo not found');
    const photo = await repo.findPhoto(db, userId);
    if (!photo) throw new NotFoundError('Photo not found');
    return photo;
  }

  /** The directory for this actor: privacy, then filters, ranked and paginated. */
  async function searchDirectory(
    actor: Actor | 'system',
    query: Omit<DirectoryQuery, 'organisation'> & { organisation?: string },
    pageSize = DIRECTORY_PAGE_SIZE,
  ): Promise<{ rows: DirectoryRow[]; total: number; capped: boolean; viewer: Viewer }> {
    const viewer = await viewerOf(actor);
    let organisationId: number | undefined;
    if (query.organisation) {
      const org = await repo.findOrganisationByOds(db, query.organisation);
      if (!org) return { rows: [], total: 0, capped: false, viewer };
      organisationId = org.id;
    }
    const { organisation: _ignored, ...rest } = query;
    const readNames = () =>
      Promise.all([
        namesOf(regionsList, (r) => [r.code, r.name]),
        namesOf(specialtiesList, (s) => [s.id, s.name]),
      ]);
    const [result, names] = await Promise.all([
      repo.searchDirectory(db, viewer, { ...rest, organisationId, pageSize }),
      readNames(),
    ]);
    let [regionNames, specialtyNames] = names;
    // A specialty or region added by another process since the lists were read: read them again.
    if (
      result.rows.some(
        (r) =>
          !regionNames.has(r.region_code) || (r.specialty_id !== null && !specialtyNames.has(r.specialty_id)),
      )
    ) {
      regionsList.clear();
      specialtiesList.clear();
      [regionNames, specialtyNames] = await readNames();
    }
    const rows: DirectoryRow[] = result.rows.map(({ specialty_id, ...row }) => ({
      ...row,
      region_name: regionNames.get(row.region_code) ?? row.region_code,
      specialty_name: specialty_id === null ? null : (specialtyNames.get(specialty_id) ?? null),
    }));
    return { ...result, rows, viewer };
  }

  // Reference lists every directory view shows in its filters. Regions change only through
  // migrations and specialties only through addSpecialty below, so each is read once a minute at
  // most (issue 8: two queries fewer on every directory page).
  const specialtiesList = cachedFor(REFERENCE_TTL_MS, () => repo.listSpecialties(db));
  const regionsList = cachedFor(REFERENCE_TTL_MS, () => repo.listRegions(db));

  async function listSpecialties(profession?: string) {
    const all = await specialtiesList.get();
    return profession ? all.filter((s) => s.profession === profession) : all;
  }

  async function addSpecialty(actor: Actor, profession: string, name: string) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const id = await repo.insertSpecialty(trx, profession, name);
      if (id === null)
        throw new ConflictError(`${name} is already a specialty of ${professionLabel(profession)}`);
      await recordAudit(trx, actor, {
        action: 'member.specialty.add',
        entityType: 'specialty',
        entityId: id,
        summary: `Added the specialty ${name} for ${professionLabel(profession)}`,
      });
    });
    specialtiesList.clear();
  }

  async function getOrganisation(odsCode: string) {
    const org = await repo.findOrganisationByOds(db, odsCode.toUpperCase());
    if (!org) throw new NotFoundError(`No organisation has the ODS code ${odsCode}`);
    const [parent, successor, predecessors, children, region] = await Promise.all([
      org.parent_id ? repo.findOrganisationById(db, org.parent_id) : undefined,
      org.successor_id ? repo.findOrganisationById(db, org.successor_id) : undefined,
      repo.listPredecessors(db, org.id),
      repo.listChildren(db, org.id, 200),
      org.sha_code ? repo.findRegion(db, org.sha_code) : undefined,
    ]);
    return { org, parent, successor, predecessors, children, region };
  }

  async function getOrganisationById(id: number) {
    return repo.findOrganisationById(db, id);
  }

  async function searchOrganisations(f: { q?: string; kind?: string; page: number; pageSize: number }) {
    return repo.searchOrganisations(db, f);
  }

  /** Records a merger: the organisation closes on a date and names its successor; nothing is deleted. */
  async function recordMerger(actor: Actor, odsCode: string, successorOds: string, validTo: string) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const org = await repo.findOrganisationByOds(trx, odsCode);
      if (!org) throw new NotFoundError(`No organisation has the ODS code ${odsCode}`);
      const successor = await repo.findOrganisationByOds(trx, successorOds);
      if (!successor) fail('successorOds', `No organisation has the ODS code ${successorOds}`);
      if (successor.id === org.id) fail('successorOds', 'An organisation cannot be its own successor');
      if (successor.successor_id === org.id)
        fail('successorOds', `${successor.name} already merged into ${org.name}`);
      if (org.valid_from && validTo < org.valid_from)
        fail('validTo', `The closing date must be on or after the opening date, ${org.valid_from}`);
      await repo.recordMerger(trx, org.id, successor.id, validTo);
      await recordAudit(trx, actor, {
        action: 'organisation.merge',
        entityType: 'organisation',
        entityId: org.id,
        summary: `Recorded that ${org.name} (${org.ods_code}) merged into ${successor.name} (${successor.ods_code}) on ${validTo}`,
        details: { successorId: successor.id, validTo, previousValidTo: org.valid_to },
      });
    });
  }

  async function getRegion(code: string) {
    const upper = code.toUpperCase();
    const region = (await listRegions()).find((r) => r.code === upper);
    if (!region) throw new NotFoundError(`There is no region ${code}`);
    return region;
  }

  async function listRegions() {
    return regionsList.get();
  }

  // Data rights: the request; the download and the decision are in members.data-rights.ts

  async function requestErasure(actor: Actor, reason: string | null) {
    await db.transaction().execute(async (trx) => {
      if (await repo.findPendingErasure(trx, actor.userId))
        throw new ConflictError(
          'You have already asked for your data to be erased. The national team will decide soon.',
        );
      const { id } = await repo.insertErasureRequest(trx, actor.userId, reason);
      await recordAudit(trx, actor, {
        action: 'member.erasure.request',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} asked for their personal data to be erased (request #${id})`,
      });
    });
  }

  async function pendingErasureOf(userId: number) {
    return repo.findPendingErasure(db, userId);
  }

  async function listErasureRequests(actor: Actor, f: { status?: string; page: number; pageSize: number }) {
    requireRole(actor, ['national']);
    return repo.listErasureRequests(db, f);
  }

  return {
    ensureOwnProfile,
    getOwnProfile,
    viewProfile,
    updateOwnProfile,
    setRegistrationVerified,
    addProject,
    removeProject,
    uploadPhoto,
    removePhoto,
    getPhoto,
    searchDirectory,
    listSpecialties,
    addSpecialty,
    getOrganisation,
    searchOrganisations,
    getOrganisationById,
    recordMerger,
    getRegion,
    listRegions,
    requestErasure,
    pendingErasureOf,
    listErasureRequests,
    viewerOf,
    isNational,
    isStaffFor,
    statusLabel: (s: MembershipStatus) => STATUS_LABELS[s],
  };
}
export type MembersService = ReturnType<typeof createMembersService>;
