import type { FastifyInstance } from 'fastify';
import { homePages } from './home.pages.ts';

/** Landing pages for each role and the fixed pages of the site. */
export async function homeModule(app: FastifyInstance) {
  app.navItems.unshift({ href: '/dashboard', text: 'Your page', roles: 'signed-in' });
  await homePages(app);
}
