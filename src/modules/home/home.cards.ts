import type { Role } from '../../platform/permissions.ts';
import type { PolicyHomeFigures } from '../policy/index.ts';

/** A card of a role's page; `figure` is a line of live counts under the description. */
export type LandingCard = { href: string; heading: string; description: string; figure?: string };

/** What each role's own page offers, as NHS cards: the places that role works in. */
export const LANDING_CARDS: Record<Role, { lede: string; cards: LandingCard[] }> = {
  national: {
    lede: 'Set up and run the network across all ten regions.',
    cards: [
      {
        href: '/programme',
        heading: 'National dashboard',
        description: 'Recruitment against target, rollout timeline, readiness and funding in every region.',
      },
      {
        href: '/recruitment',
        heading: 'Recruitment',
        description: 'Applications in every region, quota requests and the waitlist.',
      },
      {
        href: '/learning-sets',
        heading: 'Action learning sets',
        description: 'Facilitators, set formation and session returns.',
      },
      {
        href: '/mentoring/admin',
        heading: 'Mentoring',
        description: 'Matching runs and the health of each mentoring pair.',
      },
      {
        href: '/development/profiles',
        heading: 'Development profiles',
        description: 'Regional and national competency profiles, and the frameworks.',
      },
      {
        href: '/directory',
        heading: 'Member directory',
        description: 'Find members; import members from CSV.',
      },
      {
        href: '/policy',
        heading: 'Calls for input',
        description: 'Every call for clinical input, its responses and who has responded.',
      },
      {
        href: '/admin/users',
        heading: 'Accounts and roles',
        description: 'Create accounts, grant roles, disable accounts.',
      },
      {
        href: '/admin/audit',
        heading: 'Audit log',
        description: 'Every change to personal data and every decision.',
      },
      {
        href: '/admin/outbox',
        heading: 'Email outbox',
        description: 'Every email the platform has sent or will send.',
      },
      {
        href: '/admin/erasure-requests',
        heading: 'Erasure requests',
        description: 'Members asking for their personal data to be erased.',
      },
    ],
  },
  'regional-lead': {
    lede: "Your region's recruitment, action learning sets, mentoring and progress.",
    cards: [
      {
        href: '/recruitment',
        heading: 'Review applications',
        description: 'Decisions, the waitlist and your quota.',
      },
      {
        href: '/programme',
        heading: "Your region's dashboard",
        description: 'Progress against target, readiness and funding.',
      },
      {
        href: '/learning-sets',
        heading: 'Action learning sets',
        description: 'Facilitators, forming and publishing sets, session returns.',
      },
      {
        href: '/mentoring/admin',
        heading: 'Mentoring',
        description: 'Matching runs and pair health in your region.',
      },
      {
        href: '/development/profiles',
        heading: 'Development profiles',
        description: "Your region's competency profile against the nation's.",
      },
      {
        href: '/directory',
        heading: 'Member directory',
        description: 'Find members; import members from CSV.',
      },
    ],
  },
  facilitator: {
    lede: 'The action learning sets you facilitate.',
    cards: [
      {
        href: '/learning-sets',
        heading: 'Your action learning sets',
        description: 'Sessions, attendance, actions, your notes and session returns.',
      },
      {
        href: '/development/shared',
        heading: 'Shared development plans',
        description: 'Plans members have chosen to share with their facilitator.',
      },
      { href: '/directory', heading: 'Member directory', description: 'Find members of the network.' },
    ],
  },
  'policy-maker': {
    lede: 'Direct access to the clinicians of the network.',
    cards: [
      {
        href: '/policy',
        heading: 'Calls for input',
        description: 'Draft and run calls for clinical input, read the responses and see who has responded.',
      },
      {
        href: '/directory',
        heading: 'Member directory',
        description: 'Find clinicians by expertise, interest, profession and region.',
      },
      {
        href: '/policy/questions',
        heading: 'Questions from members',
        description: 'Answer members’ questions under your named role, oldest waiting first.',
      },
      {
        href: '/policy/safety',
        heading: 'Patient-safety concerns',
        description: 'For named safety leads: concerns to acknowledge, overdue ones first.',
      },
    ],
  },
  partner: {
    lede: "The network's progress against its rollout plan.",
    cards: [
      {
        href: '/programme',
        heading: 'National dashboard',
        description: 'Recruitment against target, rollout timeline, readiness and funding.',
      },
    ],
  },
  mentor: {
    lede: 'Your mentees and your mentoring meetings.',
    cards: [
      {
        href: '/mentoring',
        heading: 'Your mentoring',
        description: 'Your offer, your mentees and your meetings.',
      },
      {
        href: '/development/shared',
        heading: 'Shared development plans',
        description: 'Plans your mentees have chosen to share with you.',
      },
    ],
  },
  member: {
    lede: 'Your place in the network.',
    cards: [
      {
        href: '/profile',
        heading: 'Your profile',
        description: 'What you share with the network, and who can see each part.',
      },
      {
        href: '/directory',
        heading: 'Member directory',
        description: 'Find other clinical leaders by expertise, interest and region.',
      },
      {
        href: '/learning-sets',
        heading: 'Your action learning set',
        description: 'Your set, its sessions and your actions.',
      },
      {
        href: '/development',
        heading: 'Leadership development',
        description: 'Self-assessment, 360-degree feedback and your development plan.',
      },
      { href: '/mentoring', heading: 'Mentoring', description: 'Ask for a mentor, or see your mentoring.' },
      {
        href: '/policy/questions',
        heading: 'Questions to policy makers',
        description: 'Ask national policy makers a question, or support one the network has asked.',
      },
      {
        href: '/policy',
        heading: 'Calls for your input',
        description: 'National policy makers asking for your clinical view, and the calls you have answered.',
      },
    ],
  },
  applicant: {
    lede: 'Use the private link in the email we sent when you applied to see the status of your application or to withdraw it.',
    cards: [
      { href: '/apply', heading: 'Apply to join', description: 'Start an application to the network.' },
    ],
  },
};

function counted(n: number, cap: number, one: string, many: string): string {
  if (n > cap) return `More than ${cap} ${many}`;
  return `${n === 0 ? 'No' : n} ${n === 1 ? one : many}`;
}

/**
 * The policy maker's cards with their counts: the calls card says how many of their calls have closed
 * and await analysis; the safety card, to a safety lead (or the national team), how many concerns
 * wait to be acknowledged. Someone who does not see concerns gets the card without a count.
 */
export function policyMakerCards(figures: PolicyHomeFigures): LandingCard[] {
  const { cap } = figures;
  return LANDING_CARDS['policy-maker'].cards.map((card) => {
    if (card.href === '/policy')
      return {
        ...card,
        figure: counted(
          figures.callsAwaitingAnalysis,
          cap,
          'closed call awaiting analysis',
          'closed calls awaiting analysis',
        ),
      };
    if (card.href === '/policy/safety' && figures.openSafetyConcerns !== null)
      return {
        ...card,
        figure: counted(
          figures.openSafetyConcerns,
          cap,
          'concern awaiting acknowledgement',
          'concerns awaiting acknowledgement',
        ),
      };
    return card;
  });
}
