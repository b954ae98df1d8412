import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { parseForm, pathId, withFormErrors } from '../../platform/forms.ts';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import { CONTRIBUTOR_ROLES } from './knowledge.access.ts';
import { confirmInput, type KnowledgeFreshness } from './knowledge.freshness.ts';

const owners = { access: CONTRIBUTOR_ROLES, scope: 'item-owner' as const };

/** "Confirm this item is still current": its page and form. */
export async function freshnessPages(app: FastifyInstance, opts: { freshness: KnowledgeFreshness }) {
  const { freshness } = opts;

  async function confirmPage(
    request: FastifyRequest,
    reply: FastifyReply,
    itemId: number,
    extra: { errors?: unknown; values?: unknown } = {},
  ) {
    const found = await freshness.getForConfirm(request.actor!, itemId);
    return reply.page('modules/knowledge/views/items/confirm.njk', {
      pageTitle: 'Confirm this item is still current',
      backHref: `/knowledge/items/${itemId}`,
      ...found,
      values: extra.values ?? {},
      errors: extra.errors,
    });
  }

  app.get('/knowledge/items/:id/confirm', { config: owners }, (request, reply) =>
    confirmPage(request, reply, pathId(request.params)),
  );

  app.post('/knowledge/items/:id/confirm', { config: owners }, async (request, reply) => {
    const itemId = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => confirmPage(request, reply, itemId, { errors, values: request.body }),
      async () => {
        const done = await freshness.confirmCurrent(
          request.actor!,
          itemId,
          parseForm(confirmInput, request.body),
        );
        reply.flash(`Confirmed as current: the next review is due by ${done.reviewBy}`);
        return reply.redirect(`/knowledge/items/${itemId}`, 303);
      },
      { messageField: 'reviewBy' },
    );
  });
}

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
