import type { Actor, Role } from './permissions.ts';
import type { ScheduledTask } from './scheduler.ts';

/** Who may reach a route. Every route declares one; the app refuses to start otherwise. */
export type Access = 'public' | 'signed-in' | readonly Role[];

/** One route as declared: the generated access and bad-input tests walk this table. */
export type DeclaredRoute = { method: string; url: string; access: Access };

export type NavItem = { href: string; text: string; roles: readonly Role[] | 'signed-in' };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
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
