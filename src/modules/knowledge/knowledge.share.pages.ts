import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { parsePathParams, pathId, withFormErrors } from '../../platform/forms.ts';
import type { Actor } from '../../platform/permissions.ts';
import { CONTRIBUTOR_ROLES } from './knowledge.access.ts';
import { sendDownload } from './knowledge.files.pages.ts';
import type { KnowledgeShare } from './knowledge.share.ts';

const V = 'modules/knowledge/views/shared';
const owners = { access: CONTRIBUTOR_ROLES, scope: 'item-owner' as const };
const linkParams = z.object({
  id: z.coerce.number().int().positive().max(2147483647),
  linkId: z.coerce.number().int().positive().max(2147483647),
});
const tokenParams = z.object({ token: z.string().max(100) });
const sharedFileParams = tokenParams.extend({ fileId: z.coerce.number().int().positive().max(2147483647) });

/** Making, listing and withdrawing share links; the shared item and its files, signed out. */
export async function sharePages(
  app: FastifyInstance,
  opts: { share: KnowledgeShare; rateLimitPerMinute: number },
) {
  const { share } = opts;
  // Signed-out pages that a guessed token would probe: a tighter limit than the site's.
  const rateLimit = { max: Math.max(30, Math.round(opts.rateLimitPerMinute / 5)), timeWindow: '1 minute' };

  async function linksPage(
    reply: FastifyReply,
    actor: Actor,
    itemId: number,
    extra: Record<string, unknown> = {},
  ) {
    const list = await share.listLinks(actor, itemId);
    return reply.page(`${V}/links.njk`, {
      pageTitle: `Share links: ${list.item.title}`,
      backHref: `/knowledge/items/${itemId}`,
      ...list,
      ...extra,
    });
  }

  app.get('/knowledge/items/:id/share-links', { config: owners }, async (request, reply) =>
    linksPage(reply, request.actor!, pathId(request.params)),
  );

  app.post('/knowledge/items/:id/share-links', { config: owners }, async (request, reply) => {
    const itemId = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => linksPage(reply, request.actor!, itemId, { errors }),
      async () => {
        const made = await share.createLink(request.actor!, itemId);
        // Shown once, on this page: only the secret's hash is kept, so it cannot be shown again.
        reply.status(201).header('cache-control', 'no-store');
        return linksPage(reply, request.actor!, itemId, { made });
      },
      { messageField: 'share' },
    );
  });

  app.post('/knowledge/items/:id/share-links/:linkId/revoke', { config: owners }, async (request, reply) => {
    const { id, linkId } = parsePathParams(linkParams, request.params);
    return withFormErrors(
      reply,
      (errors) => linksPage(reply, request.actor!, id, { errors }),
      async () => {
        await share.revokeLink(request.actor!, id, linkId);
        reply.flash('The share link has been withdrawn: it no longer opens the item');
        return reply.redirect(`/knowledge/items/${id}/share-links`, 303);
      },
      { messageField: 'share' },
    );
  });

  const sharedHeaders = (reply: FastifyReply) =>
    reply
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex, nofollow')
      .header('cache-control', 'private, no-store');

  app.get(
    '/knowledge/shared/:token',
    { config: { access: 'public', scope: 'token', rateLimit } },
    async (request, reply) => {
      const { token } = parsePathParams(tokenParams, request.params);
      sharedHeaders(reply);
      const item = await share.openShared(token);
      return reply.page(`${V}/item.njk`, { pageTitle: item.title, item, token });
    },
  );

  app.get(
    '/knowledge/shared/:token/files/:fileId',
    { config: { access: 'public', scope: 'token', rateLimit } },
    async (request, reply) => {
      const { token, fileId } = parsePathParams(sharedFileParams, request.params);
      sharedHeaders(reply);
      const file = await share.openSharedFile(token, fileId);
      return sendDownload(reply.header('referrer-policy', 'no-referrer'), file);
    },
  );
}
