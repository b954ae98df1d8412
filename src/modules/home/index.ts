import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../platform/permissions.ts';
import type { PolicyHomeFigures } from '../policy/index.ts';
import type { OpenIntakes } from '../recruitment/index.ts';
import { homePages } from './home.pages.ts';

/** Landing pages for each role and the fixed pages of the site. */
export async function homeModule(
  app: FastifyInstance,
  opts: {
    /** Recruitment's intakes taking applications, for the about page. */ openIntakes: () => Promise<OpenIntakes>;
    /** The policy channel's counts for the policy maker's cards (open safety concerns, calls awaiting analysis). */
    policyHomeFigures: (actor: Actor) => Promise<PolicyHomeFigures>;
    /** The events module's coming events of the person, for "Your events" on a member's page. */
    upcomingEvents?: (actor: Actor) => Promise<{ id: number; title: string; when: string }[]>;
  },
) {
  app.navItems.unshift({ href: '/dashboard', text: 'Your page', roles: 'signed-in' });
  await homePages(app, opts);
}
