import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiErrorSchema } from '../../platform/schemas.ts';
import { READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeSearch } from './knowledge.search.ts';
import { searchOut, searchQuery } from './knowledge.search.schemas.ts';

/** Library search in the JSON API. */
export async function searchApi(app: FastifyInstance, opts: { search: KnowledgeSearch }) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/knowledge/search',
    {
      config: { access: READER_ROLES },
      schema: {
        tags: ['knowledge'],
        summary:
          'Search published library items and discussion posts you may read: ranked, with clinical synonyms, facet counts (kind, topic, setting, region, organisation, stage; repeat a parameter for several values) and why each result matched (highlight is HTML)',
        querystring: searchQuery,
        response: { 200: searchOut, 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema },
      },
    },
    async (request) => opts.search.search(request.actor!, request.query),
  );
}
