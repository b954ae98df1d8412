import type { FastifyInstance } from 'fastify';
import type { OpenIntakes } from '../recruitment/index.ts';
import { homePages } from './home.pages.ts';

/** Landing pages for each role and the fixed pages of the site. */
export async function homeModule(
  app: FastifyInstance,
  opts: {
    /** Recruitment's intakes taking applications, for the about page. */ openIntakes: () => Promise<OpenIntakes>;
  },
) {
  app.navItems.unshift({ href: '/dashboard', text: 'Your page', roles: 'signed-in' });
  await homePages(app, opts);
}
