import { ForbiddenError, UnauthenticatedError } from './errors.ts';

export const ROLES = [
  'applicant',
  'member',
  'mentor',
  'facilitator',
  'regional-lead',
  'policy-maker',
  'partner',
  'national',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  applicant: 'Applicant',
  member: 'Member',
  mentor: 'Mentor',
  facilitator: 'Facilitator',
  'regional-lead': 'Regional lead',
  'policy-maker': 'Policy maker',
  partner: 'Partner (read only)',
  national: 'National team',
};

/** Roles whose scope is one region: a grant of these must name the region. */
export const REGIONAL_ROLES: ReadonlySet<Role> = new Set(['facilitator', 'regional-lead']);

export type RoleGrant = { role: Role; regionCode: string | null };

/** Who is acting, and from where: passed from routes to services for permission checks and audit. */
export type Actor = {
  userId: number;
  name: string;
  email: string;
  roles: RoleGrant[];
  ip: string | null;
  requestId: string | null;
};

/** Someone not signed in (a public applicant, a sponsor with a link): audited by label. */
export type AnonymousActor = { userId: null; label: string; ip: string | null; requestId: string | null };

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when the actor holds the role; with a region, only a grant for that region (or national) counts. */
export function hasRole(
  actor: Pick<Actor, 'roles'> | null | undefined,
  role: Role,
  regionCode?: string | null,
): boolean {
  if (!actor) return false;
  return actor.roles.some(
    (g) =>
      g.role === role && (regionCode === undefined || g.regionCode === null || g.regionCode === regionCode),
  );
}

export function isNational(actor: Pick<Actor, 'roles'> | null | undefined): boolean {
  return hasRole(actor, 'national');
}

/** The regions in which the actor holds a role; 'all' for the national team. */
export function regionsWhere(actor: Pick<Actor, 'roles'>, role: Role): 'all' | string[] {
  if (isNational(actor)) return 'all';
  const codes = actor.roles.filter((g) => g.role === role).map((g) => g.regionCode);
  if (codes.includes(null)) return 'all';
  return [...new Set(codes as string[])];
}

/** Throws unless the actor holds one of the roles (national always passes), optionally in a region. */
export function requireRole(
  actor: Actor | null | undefined,
  roles: Role[],
  regionCode?: string | null,
): Actor {
  if (!actor) throw new UnauthenticatedError();
  if (isNational(actor)) return actor;
  if (roles.some((r) => hasRole(actor, r, regionCode))) return actor;
  throw new ForbiddenError();
}
