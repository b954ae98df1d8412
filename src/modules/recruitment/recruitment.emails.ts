import { letter } from '../../platform/emails.ts';
import type { OutgoingEmail } from '../../platform/outbox.ts';

/**
 * The letters recruitment sends, each built through the one email template (greeting, paragraphs,
 * each link on its own line, sign-off). The callers pass `enqueueEmail` the result inside the
 * transaction that makes the change.
 */

/** The applicant a letter goes to, as an application row has them. */
export type Applicant = { email: string; given_name: string; family_name: string; reference: string };

const fullName = (a: Pick<Applicant, 'given_name' | 'family_name'>) => `${a.given_name} ${a.family_name}`;

/** What a status letter says: its kind, its subject (the reference is added) and its paragraphs. */
export type StatusNews = { kind: string; subject: string; body: string[] };

/** A letter to the applicant about their application, with a fresh link to its status page. */
export function statusLetter(a: Applicant, news: StatusNews, statusLink: string): OutgoingEmail {
  return letter({
    to: a.email,
    name: fullName(a),
    kind: news.kind,
    subject: `${news.subject} (${a.reference})`,
    body: [
      ...news.body,
      { text: 'See your application here (this link replaces the one in earlier emails):', link: statusLink },
    ],
  });
}

export const news = {
  shortlisted: (regionName: string): StatusNews => ({
    kind: 'application.shortlist',
    subject: 'You have been shortlisted',
    body: [
      `Your application to the Clinical Leaders Network in ${regionName} has been shortlisted. The regional team will be in touch.`,
    ],
  }),
  offered: (regionName: string, replyBySentence: string): StatusNews => ({
    kind: 'application.offer',
    subject: 'You have been offered a place in the Clinical Leaders Network',
    body: [
      `We are delighted to offer you a place in the Clinical Leaders Network in ${regionName}. Accept it, or tell us you no longer want it, with the link below. ${replyBySentence}`,
    ],
  }),
  /** A place freed and the top of the waitlist is offered it. */
  offeredFromWaitlist: (regionName: string, replyBySentence: string): StatusNews => ({
    kind: 'application.offer',
    subject: 'You have been offered a place in the Clinical Leaders Network',
    body: [
      `A place has become available in ${regionName} and it is offered to you. Accept it, or tell us you no longer want it, with the link below. ${replyBySentence}`,
    ],
  }),
  /** An offer beyond the quota: the applicant goes on the waitlist instead. */
  waitlistedQuotaFull: (regionName: string, rank: number): StatusNews => ({
    kind: 'application.waitlist',
    subject: 'You are on the waitlist',
    body: [
      `All places in ${regionName} are currently taken. You are number ${rank} on the waitlist, and we will offer you a place if one becomes free.`,
    ],
  }),
  waitlisted: (regionName: string, rank: number): StatusNews => ({
    kind: 'application.waitlist',
    subject: 'You are on the waitlist',
    body: [
      `You are number ${rank} on the waitlist for the Clinical Leaders Network in ${regionName}. We will offer you a place if one becomes free.`,
    ],
  }),
  declined: (regionName: string, reason: string | undefined): StatusNews => ({
    kind: 'application.decline',
    subject: 'The outcome of your application',
    body: [
      `Thank you for applying to the Clinical Leaders Network in ${regionName}. We are sorry that on this occasion we cannot offer you a place.`,
      `The reason given: ${reason}`,
    ],
  }),
  withdrawnByTeam: (regionName: string, reason: string | undefined): StatusNews => ({
    kind: 'application.withdraw',
    subject: 'Your application has been withdrawn',
    body: [
      `The regional team has withdrawn your application to the Clinical Leaders Network in ${regionName}.`,
      `The reason given: ${reason}`,
    ],
  }),
  offerLapsed: (regionName: string, by: string): StatusNews => ({
    kind: 'application.offer-lapse',
    subject: 'Your offer of a place has lapsed',
    body: [
      `The place offered to you in ${regionName} had to be accepted by ${by}. As it was not, the offer has lapsed and the place can go to someone else. If you would still like to join, contact the regional team or apply to a later intake.`,
    ],
  }),
};

/** The acknowledgement of a submitted application, with the private status link. */
export function acknowledgementLetter(l: {
  to: string;
  name: string;
  reference: string;
  regionName: string;
  sponsorName: string;
  statusLink: string;
}): OutgoingEmail {
  return letter({
    to: l.to,
    name: l.name,
    kind: 'application.acknowledgement',
    subject: `Your application to the Clinical Leaders Network (${l.reference})`,
    body: [
      `Thank you for applying to join the Clinical Leaders Network in ${l.regionName}. Your reference number is ${l.reference}.`,
      `We have asked your sponsor, ${l.sponsorName}, to endorse your application.`,
      {
        text: 'See the status of your application, or withdraw it, here (keep this link private):',
        link: l.statusLink,
      },
    ],
  });
}

/** The acknowledgement of an application moved over from the old system (CSV import). */
export function importedAcknowledgementLetter(l: {
  to: string;
  name: string;
  reference: string;
  statusLink: string;
}): OutgoingEmail {
  return letter({
    to: l.to,
    name: l.name,
    kind: 'application.acknowledgement',
    subject: `Your application to the Clinical Leaders Network (${l.reference})`,
    body: [
      `Your application to the Clinical Leaders Network has been moved to our new platform. Your reference number is ${l.reference}.`,
      { text: 'See its status, or withdraw it, here (keep this link private):', link: l.statusLink },
    ],
  });
}

/** The sponsor's request to endorse, with the single-use link. */
export function endorsementRequestLetter(l: {
  to: string;
  sponsorName: string;
  applicantName: string;
  jobTitle: string;
  employerName: string;
  regionName: string;
  ttlDays: number;
  endorseLink: string;
}): OutgoingEmail {
  return letter({
    to: l.to,
    name: l.sponsorName,
    kind: 'endorsement.request',
    subject: `Please endorse ${l.applicantName}'s application to the Clinical Leaders Network`,
    body: [
      `${l.applicantName} (${l.jobTitle}, ${l.employerName}) has applied to join the Clinical Leaders Network in ${l.regionName} and named you as their sponsor.`,
      {
        text: `Please say whether you endorse the application (the link works once and expires in ${l.ttlDays} days):`,
        link: l.endorseLink,
      },
    ],
  });
}

/** A reminder to a sponsor who has not answered, with a fresh single-use link. */
export function endorsementReminderLetter(l: {
  to: string;
  sponsorName: string;
  applicantName: string;
  reference: string;
  endorseLink: string;
}): OutgoingEmail {
  return letter({
    to: l.to,
    name: l.sponsorName,
    kind: 'endorsement.reminder',
    subject: `Reminder: please endorse ${l.applicantName}'s application to the Clinical Leaders Network`,
    body: [
      `${l.applicantName} is waiting for your endorsement of their application (${l.reference}).`,
      {
        text: 'Please respond here (this link replaces the one in earlier emails and works once):',
        link: l.endorseLink,
      },
    ],
  });
}

/** The applicant withdrew their own application. */
export function withdrawnByApplicantLetter(a: Applicant): OutgoingEmail {
  return letter({
    to: a.email,
    name: fullName(a),
    kind: 'application.withdrawn',
    subject: `You have withdrawn your application (${a.reference})`,
    body: [`Your application ${a.reference} has been withdrawn. You do not need to do anything else.`],
  });
}

/** A new member who already has an account: sign in with it. */
export function joinedLetter(l: {
  to: string;
  name: string;
  intro: string;
  signInLink: string;
}): OutgoingEmail {
  return letter({
    to: l.to,
    name: l.name,
    kind: 'application.joined',
    subject: 'Welcome to the Clinical Leaders Network',
    body: [{ text: `${l.intro} Sign in with your existing account:`, link: l.signInLink }],
  });
}

/** The national team's answer to a regional lead's request for more places. */
export function quotaDecisionLetter(l: {
  to: string;
  name: string;
  regionName: string;
  approved: boolean;
  requestedQuota: number;
  note?: string | null;
}): OutgoingEmail {
  const verdict = l.approved ? 'approved' : 'refused';
  return letter({
    to: l.to,
    name: l.name,
    kind: 'quota.decision',
    subject: `Your request for more places in ${l.regionName} was ${verdict}`,
    body: [
      `The national team has ${verdict} your request to raise ${l.regionName}'s quota to ${l.requestedQuota}.`,
      l.note ? `Note: ${l.note}` : null,
    ],
  });
}
