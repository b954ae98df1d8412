import type { FastifyInstance } from 'fastify';
import { paginationFor, parseQuery } from '../../platform/forms.ts';
import type { PolicyLedger } from './policy.ledger.ts';
import { pageQuery } from '../../platform/schemas.ts';

/** The ledger: open to signed-out visitors (public calls only), members (theirs and public) and the policy team (all). */
export async function ledgerPages(app: FastifyInstance, opts: { ledger: PolicyLedger }) {
  app.get('/policy/ledger', { config: { access: 'public' } }, async (request, reply) => {
    const { page } = parseQuery(pageQuery, request.query);
    const data = await opts.ledger.ledger(request.actor, page);
    return reply.page('modules/policy/views/ledger/ledger.njk', {
      pageTitle: 'You said, we did: the policy ledger',
      gridClass: 'nhsuk-grid-column-full',
      ...data,
      pagination: paginationFor(page, data.pageSize, data.total, (p) => `/policy/ledger?page=${p}`),
    });
  });
}
