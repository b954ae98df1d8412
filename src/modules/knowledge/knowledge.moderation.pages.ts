import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  checkQuery,
  paginationFor,
  parseForm,
  pathId,
  queryString,
  withFormErrors,
} from '../../platform/forms.ts';
import { discussionQuery, emptyInput, hideInput, REASON_MAX } from './knowledge.discussion.schemas.ts';
import type { KnowledgeModeration } from './knowledge.moderation.ts';

const V = 'modules/knowledge/views/moderation';
const moderators = { access: ['regional-lead'] as const };
const moderate = { ...moderators, scope: 'moderation' as const };

/** The moderation queue and one post's moderation: hide (with a reason), restore, keep. */
export async function moderationPages(app: FastifyInstance, opts: { moderation: KnowledgeModeration }) {
  const { moderation } = opts;

  app.get('/knowledge/moderation', { config: moderators }, async (request, reply) => {
    const checked = checkQuery(discussionQuery, request.query);
    const queue = await moderation.listQueue(request.actor!, checked.ok ? checked.data.page : 1);
    return reply.page(`${V}/queue.njk`, {
      pageTitle: 'Discussion moderation queue',
      queue,
      pager: paginationFor(
        queue.page,
        queue.pageSize,
        queue.total,
        (p) => `/knowledge/moderation${queryString({}, p)}`,
      ),
    });
  });

  async function postPage(
    request: FastifyRequest,
    reply: FastifyReply,
    postId: number,
    extra: Record<string, unknown> = {},
  ) {
    const m = await moderation.getForModeration(request.actor!, postId);
    return reply.page(`${V}/post.njk`, {
      pageTitle: 'Moderate a post',
      backHref: '/knowledge/moderation',
      m,
      reasonMax: REASON_MAX,
      values: {},
      ...extra,
    });
  }

  app.get('/knowledge/posts/:id/moderate', { config: moderate }, (request, reply) =>
    postPage(request, reply, pathId(request.params)),
  );

  function action(
    path: string,
    run: (request: FastifyRequest, postId: number) => Promise<string>,
    field = 'form',
  ) {
    app.post(`/knowledge/posts/:id/${path}`, { config: moderate }, async (request, reply) => {
      const postId = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) => postPage(request, reply, postId, { errors, values: request.body ?? {} }),
        async () => {
          reply.flash(await run(request, postId));
          return reply.redirect(`/knowledge/posts/${postId}/moderate`, 303);
        },
        { messageField: field },
      );
    });
  }
  action(
    'hide',
    async (request, postId) => {
      const input = parseForm(hideInput, request.body);
      await moderation.hidePost(request.actor!, postId, input.reason);
      return 'The post is hidden and its reports are closed. Its author has been emailed the reason.';
    },
    'reason',
  );
  action('restore', async (request, postId) => {
    parseForm(emptyInput, request.body);
    await moderation.restorePost(request.actor!, postId);
    return 'The post is restored: everyone who can read the item sees it again.';
  });
  action('keep', async (request, postId) => {
    parseForm(emptyInput, request.body);
    await moderation.keepPost(request.actor!, postId);
    return 'The post is kept and its reports are closed.';
  });
}
