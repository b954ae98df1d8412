import type { FastifyInstance } from 'fastify';
import { paginationFor, parsePathParams, parseQuery } from '../../platform/forms.ts';
import { pageQuery } from '../../platform/schemas.ts';
import { READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeOrganisations } from './knowledge.organisations.ts';
import { odsParams } from './knowledge.organisations.api.ts';

const V = 'modules/knowledge/views/organisations';
const readers = { access: READER_ROLES, scope: 'network' as const };

/** An organisation's page in the library. */
export async function organisationsPages(
  app: FastifyInstance,
  opts: { organisations: KnowledgeOrganisations },
) {
  const { organisations } = opts;

  app.get('/knowledge/organisations/:ods', { config: readers }, async (request, reply) => {
    const { ods } = parsePathParams(odsParams, request.params);
    const { page } = parseQuery(pageQuery, request.query);
    const found = await organisations.getOrganisation(request.actor!, ods, page);
    return reply.page(`${V}/organisation.njk`, {
      pageTitle: `${found.organisation.name} in the library`,
      gridClass: 'nhsuk-grid-column-full',
      ...found,
      pagination: paginationFor(
        found.page,
        found.pageSize,
        found.total,
        (p) => `/knowledge/organisations/${encodeURIComponent(found.organisation.odsCode!)}?page=${p}`,
      ),
    });
  });
}
