import type { DB, Executor } from '../../db/database.ts';
import { findAccountById, renameAccount } from '../../platform/accounts/accounts.service.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import { audienceOf, canSee, isStaffView, SYSTEM_VIEWER, type Viewer, viewerFor } from './members.privacy.ts';
import { renderBiography } from './members.render.ts';
import * as repo from './members.repository.ts';
import { type ProfileUpdate, SECTIONS, type Section } from './members.schemas.ts';
import { checkRegistration, fail, professionLabel } from './members.shared.ts';
import type { Visibility } from './members.table.ts';

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

/**
 * The member's profile: who is looking (viewerOf), the member's own profile (started on first visit,
 * changed field by field), another member's as the viewer may see it, and the verification of a
 * registration number.
 */
export function createProfiles(deps: { db: DB }) {
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

  return {
    viewerOf,
    ensureOwnProfile,
    getOwnProfile,
    viewProfile,
    updateOwnProfile,
    setRegistrationVerified,
  };
}
