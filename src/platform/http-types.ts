import type { Actor, Role } from './permissions.ts';
import type { ScheduledTask } from './scheduler.ts';

/** Who may reach a route. Every route declares one; the app refuses to start otherwise. */
export type Access = 'public' | 'signed-in' | readonly Role[];

/**
 * Which of the records a route's path names the caller may reach, once `access` has let them in.
 * Every route with a path parameter declares one (the app refuses to start otherwise); the service
 * enforces it, and the authorisation matrix (test/security/authorisation.test.ts) proves it.
 * - `none`: the parameter names no record (a step of a form);
 * - `token`: the secret in the path is the credential (a reset, endorsement or rater link);
 * - `own`: only the record's owner (their token, self-assessment, 360 round, goal, project);
 * - `shared`: the owner and the people they chose to share it with (a development plan: their
 *   mentor, their region's facilitators);
 * - `pair`: the mentee and the mentor of a mentoring relationship, nobody else;
 * - `set`: the members and facilitator of a published learning set, its region's staff, national;
 * - `region`: a region's staff (its regional leads and facilitators) and the national team; roles
 *   that are not tied to a region (partner) keep their network-wide reach;
 * - `directory`: everyone `access` admits, each section as the member's privacy allows;
 * - `network`: everyone `access` admits (frameworks, organisations, national administration);
 * - `audience`: a call for input and what hangs off it, for the members it is aimed at and the
 *   policy team (policy makers and national); members outside its audience get 404;
 * - `call-owner`: what only the call's owner (a policy maker) and the national team may do or see
 *   (state changes, analysis, outcomes, confidential responses);
 * - `response`: a response to a call, for its author, the call's owner and the national team;
 * - `question`: a question put to policy makers, for its asker and the policy team (a question to
 *   the network is also open to every member; a private one is not);
 * - `safety`: a patient-safety concern, for the safety leads and the national team;
 * - `item`: a knowledge item and what hangs off it (files, discussion, adoptions), for the people
 *   its visibility admits (the network, one region, named learning sets) and its owner; others 404;
 * - `item-owner`: what only the item's owner and the national team may do (edit, publish, share);
 * - `adoption`: changing an organisation's adoption of an item and its measures, for the person who
 *   recorded it and the national team (reading it is `item`);
 * - `post`: a discussion post, for the readers of its item (changing it: its author);
 * - `moderation`: hiding and restoring posts and handling reports, for the national team and the
 *   regional leads of the item's region;
 * - `event`: an event and the caller's own registration for it, for the people its audience admits
 *   (anyone for a public event, the network, one region's members and staff, named invitees) and
 *   its organisers (the national team, the regional leads of its region); others get 404.
 */
export const SCOPES = [
  'none',
  'token',
  'own',
  'shared',
  'pair',
  'set',
  'region',
  'directory',
  'network',
  'audience',
  'call-owner',
  'response',
  'question',
  'safety',
  'item',
  'item-owner',
  'adoption',
  'post',
  'moderation',
  'event',
] as const;
export type Scope = (typeof SCOPES)[number];

/** One route as declared: the generated access and bad-input tests walk this table. */
export type DeclaredRoute = { method: string; url: string; access: Access; scope?: Scope };

export type NavItem = { href: string; text: string; roles: readonly Role[] | 'signed-in' };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Required when the path has a parameter: see `Scope`. */
    scope?: Scope;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** How the actor authenticated: a bearer token is not exposed to cross-site requests. */
    authMethod: 'session' | 'token' | null;
    sessionToken: string | null;
  }
  interface FastifyReply {
    /** Renders an HTML page with the layout context (user, CSRF token, CSP nonce, navigation, flash). */
    page(template: string, data?: Record<string, unknown>): Promise<string>;
    /** Shows a success message on the next page rendered (post/redirect/get). */
    flash(message: string): void;
  }
  interface FastifyInstance {
    navItems: NavItem[];
    /** Periodic work modules register (reminders...); the server runs them, tests call them directly. */
    scheduledTasks: ScheduledTask[];
    /** Every route with its declared access rule, in the order the modules registered them. */
    declaredRoutes: DeclaredRoute[];
  }
}
