import type { Role, RoleGrant } from './permissions.ts';

/** Each role's own page, in priority order for someone who holds several. */
export const LANDING_PAGES: { role: Role; path: string; title: string }[] = [
  { role: 'national', path: '/national', title: 'National team' },
  { role: 'regional-lead', path: '/regional', title: 'Your region' },
  { role: 'facilitator', path: '/facilitator', title: 'Facilitator' },
  { role: 'policy-maker', path: '/policy-maker', title: 'Policy maker' },
  { role: 'partner', path: '/partner', title: 'Network progress' },
  { role: 'mentor', path: '/mentor', title: 'Mentor' },
  { role: 'member', path: '/member', title: 'Your network' },
  { role: 'applicant', path: '/applicant', title: 'Your application' },
];

export function landingPathFor(roles: RoleGrant[]): string {
  return LANDING_PAGES.find((p) => roles.some((g) => g.role === p.role))?.path ?? '/account';
}

/** Only same-site paths may be redirected to after sign-in (no open redirects). */
export function safeNextPath(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && next.length <= 500
    ? next
    : undefined;
}
