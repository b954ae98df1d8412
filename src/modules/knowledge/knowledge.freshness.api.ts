import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import { CONTRIBUTOR_ROLES } from './knowledge.access.ts';
import { confirmInput, type KnowledgeFreshness } from './knowledge.freshness.ts';

const owners = { access: CONTRIBUTOR_ROLES, scope: 'item-owner' as const };

/** The same confirmation in the JSON API. */
export async function freshnessApi(app: FastifyInstance, opts: { freshness: KnowledgeFreshness }) {
  const { freshness } = opts;
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/knowledge/items/:id/confirm',
    {
      config: owners,
      schema: {
        tags: ['knowledge'],
        summary:
          'Confirm an item is still current: reviewed on today, and a new review-by date (a year on unless given)',
        params: idParam,
        body: confirmInput,
        response: {
          200: z.object({ itemId: z.number().int(), reviewedOn: z.string(), reviewBy: z.string() }),
          400: apiErrorSchema,
          403: apiErrorSchema,
          404: apiErrorSchema,
          409: apiErrorSchema,
        },
      },
    },
    async (request) => freshness.confirmCurrent(request.actor!, request.params.id, request.body),
  );
}
