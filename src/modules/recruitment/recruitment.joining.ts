import type { Executor } from '../../db/database.ts';
import {
  ensureMemberAccountInTransaction,
  sendInvitationInTransaction,
} from '../../platform/accounts/accounts.service.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import type { Actor, AnonymousActor } from '../../platform/permissions.ts';
import { createMemberProfile } from '../members/index.ts';
import { joinedLetter } from './recruitment.emails.ts';

/** What joining the network needs to know about an accepted application. */
export type JoiningApplication = {
  reference: string;
  email: string;
  givenName: string;
  familyName: string;
  regionCode: string;
  intakeId: number;
  profession: string;
  registrationNumber: string;
  employerOrganisationId: number;
  jobTitle: string;
  specialtyId?: number | null;
};

/**
 * An applicant joins the network, inside the caller's transaction: the account and the Member role
 * of the region (through accounts), then the full member profile of the intake (through members),
 * so they are in the region's cohort at once. Used by accepting an offer, the CSV import and the
 * demo seed. `welcome` says what to tell them: `invite` opens the invitation to set a password
 * (sent when they have none), `signIn` the note to sign in with their existing account; `null`
 * sends nothing.
 */
export async function joinNetworkInTransaction(
  trx: Executor,
  a: JoiningApplication,
  actor: Actor | AnonymousActor | 'system',
  opts: { baseUrl: string; welcome: { invite: string; signIn: string } | null },
) {
  const name = `${a.givenName} ${a.familyName}`;
  const account = await ensureMemberAccountInTransaction(
    trx,
    { email: a.email, name, regionCode: a.regionCode, reason: `on joining with application ${a.reference}` },
    actor,
  );
  const profile = await createMemberProfile(
    trx,
    {
      userId: account.user.id,
      regionCode: a.regionCode,
      intakeId: a.intakeId,
      name,
      profession: a.profession,
      registrationNumber: a.registrationNumber,
      organisationId: a.employerOrganisationId,
      jobTitle: a.jobTitle,
      ...(a.specialtyId != null ? { specialtyId: a.specialtyId } : {}),
      status: 'active',
    },
    actor,
  );
  if (opts.welcome !== null) {
    if (!account.user.hasPassword) {
      await sendInvitationInTransaction(
        trx,
        opts.baseUrl,
        { userId: account.user.id, email: account.user.email, name: account.user.name },
        opts.welcome.invite,
      );
    } else {
      await enqueueEmail(
        trx,
        joinedLetter({
          to: account.user.email,
          name: account.user.name,
          intro: opts.welcome.signIn,
          signInLink: `${opts.baseUrl}/sign-in`,
        }),
      );
    }
  }
  return { userId: account.user.id, newAccount: account.newAccount, profileCreated: profile.created };
}

/** The joining facts of an application row. */
export function joiningOf(a: {
  reference: string;
  email: string;
  given_name: string;
  family_name: string;
  region_code: string;
  intake_id: number;
  profession: string;
  registration_number: string;
  employer_organisation_id: number;
  job_title: string;
}): JoiningApplication {
  return {
    reference: a.reference,
    email: a.email,
    givenName: a.given_name,
    familyName: a.family_name,
    regionCode: a.region_code,
    intakeId: a.intake_id,
    profession: a.profession,
    registrationNumber: a.registration_number,
    employerOrganisationId: a.employer_organisation_id,
    jobTitle: a.job_title,
  };
}
