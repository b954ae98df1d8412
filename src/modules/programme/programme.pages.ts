import type { FastifyInstance } from 'fastify';
import type { ProgrammeService } from './programme.service.ts';

const V = 'modules/programme/views';

export async function programmePages(app: FastifyInstance, opts: { programme: ProgrammeService }) {
  app.get('/', { config: { access: 'public' } }, async (_request, reply) => {
    const network = await opts.programme.describeNetwork();
    return reply.page(`${V}/home.njk`, { pageTitle: 'Home', gridClass: 'nhsuk-grid-column-full', network });
  });
}
