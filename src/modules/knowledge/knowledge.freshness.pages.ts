import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseForm, pathId, withFormErrors } from '../../platform/forms.ts';
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
