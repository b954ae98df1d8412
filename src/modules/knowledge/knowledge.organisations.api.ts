import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiErrorSchema, pageQuery } from '../../platform/schemas.ts';
import { READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeOrganisations } from './knowledge.organisations.ts';

const readers = { access: READER_ROLES, scope: 'network' as const };
export const odsParams = z.object({ ods: z.string().trim().min(1).max(12) });

const itemOut = z.object({
  id: z.number().int(),
  kind: z.string(),
  title: z.string(),
  summary: z.string(),
  status: z.string(),
  stale: z.boolean(),
});
const organisationOut = z.object({
  organisation: z.object({
    odsCode: z.string().nullable(),
    name: z.string(),
    kind: z.string(),
    regionCode: z.string().nullable(),
  }),
  items: z.array(itemOut),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  memberItems: z.array(itemOut.extend({ owner: z.string().nullable() })),
  adoptions: z.array(
    z.object({ itemId: z.number().int(), title: z.string(), status: z.string(), adoptedOn: z.string() }),
  ),
});

/** An organisation in the library, in the JSON API. */
export async function organisationsApi(
  app: FastifyInstance,
  opts: { organisations: KnowledgeOrganisations },
) {
  const { organisations } = opts;
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/knowledge/organisations/:ods',
    {
      config: readers,
      schema: {
        tags: ['knowledge'],
        summary:
          'An organisation in the library: the items that name it, its members’ items and what it adopted (those you may read)',
        params: odsParams,
        querystring: pageQuery,
        response: { 200: organisationOut, 400: apiErrorSchema, 404: apiErrorSchema },
      },
    },
    async (request) => organisations.getOrganisation(request.actor!, request.params.ods, request.query.page),
  );
}
