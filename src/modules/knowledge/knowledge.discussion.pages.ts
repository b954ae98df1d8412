import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  checkQuery,
  paginationFor,
  parseForm,
  pathId,
  queryString,
  withFormErrors,
} from '../../platform/forms.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import {
  acceptInput,
  discussionQuery,
  editPostInput,
  emptyInput,
  newPostInput,
  POST_BODY_MAX,
  REASON_MAX,
  replyInput,
  reportInput,
} from './knowledge.discussion.schemas.ts';
import type { KnowledgeDiscussion } from './knowledge.discussion.ts';
import type { KnowledgeFollows } from './knowledge.follows.ts';

const V = 'modules/knowledge/views/discussion';
const readItem = { access: [...READER_ROLES], scope: 'item' as const };
const postOnItem = { access: [...CONTRIBUTOR_ROLES], scope: 'item' as const };
const readPost = { access: [...READER_ROLES], scope: 'post' as const };
const replyPost = { access: [...CONTRIBUTOR_ROLES], scope: 'post' as const };
const ownPost = { access: [...READER_ROLES], scope: 'own' as const };

const discussionHref = (itemId: number, postId?: number) =>
  `/knowledge/items/${itemId}/discussion${postId ? `#post-${postId}` : ''}`;

/** A list of emails given back to the form as it was typed (the API takes a list). */
function typed(body: unknown): Record<string, unknown> {
  const b = (body ?? {}) as Record<string, unknown>;
  return { ...b, mentions: Array.isArray(b.mentions) ? b.mentions.join('\n') : b.mentions };
}

/** One address of the mentions box is wrong: the message goes on the box (the form has one field). */
function onFields(errors: unknown): unknown {
  if (!Array.isArray(errors)) return errors;
  return (errors as { field: string; message: string }[]).map((e) =>
    e.field.startsWith('mentions.') ? { ...e, field: 'mentions' } : e,
  );
}

/** The discussion of a library item: posts, replies, the accepted answer, follows and reports. */
export async function discussionPages(
  app: FastifyInstance,
  opts: { discussion: KnowledgeDiscussion; follows: KnowledgeFollows },
) {
  const { discussion, follows } = opts;

  async function discussionPage(
    request: FastifyRequest,
    reply: FastifyReply,
    itemId: number,
    extra: Record<string, unknown> = {},
  ) {
    const checked = checkQuery(discussionQuery, request.query);
    const page = checked.ok ? checked.data.page : 1;
    const d = await discussion.getDiscussion(request.actor!, itemId, page);
    return reply.page(`${V}/discussion.njk`, {
      pageTitle: `Discussion: ${d.item.title}`,
      discussion: d,
      bodyMax: POST_BODY_MAX,
      values: { kind: 'comment' },
      pager: paginationFor(
        d.page,
        d.pageSize,
        d.total,
        (p) => `${discussionHref(itemId)}${queryString({}, p)}`,
      ),
      ...extra,
      errors: onFields(extra.errors),
    });
  }

  app.get('/knowledge/items/:id/discussion', { config: readItem }, (request, reply) =>
    discussionPage(request, reply, pathId(request.params)),
  );

  app.post('/knowledge/items/:id/posts', { config: postOnItem }, async (request, reply) => {
    const itemId = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => discussionPage(request, reply, itemId, { errors, values: typed(request.body) }),
      async () => {
        const input = parseForm(newPostInput, request.body);
        const id = await discussion.createPost(request.actor!, itemId, input);
        reply.flash(
          input.kind === 'question'
            ? 'Your question is posted. You will be emailed when someone replies.'
            : 'Your comment is posted. You will be emailed about new posts on this item.',
        );
        return reply.redirect(discussionHref(itemId, id), 303);
      },
    );
  });

  for (const [path, on] of [
    ['follow', true],
    ['unfollow', false],
  ] as const)
    app.post(`/knowledge/items/:id/${path}`, { config: readItem }, async (request, reply) => {
      const itemId = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) => discussionPage(request, reply, itemId, { errors }),
        async () => {
          parseForm(emptyInput, request.body);
          if (on) await follows.followItem(request.actor!, itemId);
          else await follows.unfollowItem(request.actor!, itemId);
          reply.flash(
            on
              ? 'You follow this item. You will be emailed about each new post.'
              : 'You no longer follow this item.',
          );
          return reply.redirect(discussionHref(itemId), 303);
        },
      );
    });

  type Mode = 'reply' | 'edit' | 'delete' | 'report';
  const TITLES: Record<Mode, string> = {
    reply: 'Reply to a post',
    edit: 'Edit your post',
    delete: 'Delete your post',
    report: 'Report a post to the moderators',
  };

  async function postPage(
    request: FastifyRequest,
    reply: FastifyReply,
    postId: number,
    mode: Mode,
    extra: Record<string, unknown> = {},
  ) {
    const found =
      mode === 'edit' || mode === 'delete'
        ? await discussion.getOwnPost(request.actor!, postId)
        : await discussion.getPost(request.actor!, postId);
    const action = {
      reply: `/knowledge/posts/${postId}/replies`,
      edit: `/knowledge/posts/${postId}/edit`,
      delete: `/knowledge/posts/${postId}/delete`,
      report: `/knowledge/posts/${postId}/report`,
    }[mode];
    return reply.page(`${V}/post-form.njk`, {
      pageTitle: TITLES[mode],
      backHref: discussionHref(found.item.id, postId),
      found,
      mode,
      action,
      showThread: mode !== 'edit',
      bodyMax: POST_BODY_MAX,
      reasonMax: REASON_MAX,
      values: mode === 'edit' ? { body: found.post.body } : {},
      ...extra,
      errors: onFields(extra.errors),
    });
  }

  app.get('/knowledge/posts/:id/reply', { config: replyPost }, (request, reply) =>
    postPage(request, reply, pathId(request.params), 'reply'),
  );
  app.get('/knowledge/posts/:id/edit', { config: ownPost }, (request, reply) =>
    postPage(request, reply, pathId(request.params), 'edit'),
  );
  app.get('/knowledge/posts/:id/delete', { config: ownPost }, (request, reply) =>
    postPage(request, reply, pathId(request.params), 'delete'),
  );
  app.get('/knowledge/posts/:id/report', { config: readPost }, (request, reply) =>
    postPage(request, reply, pathId(request.params), 'report'),
  );

  function postAction(
    path: string,
    config: FastifyContextConfig,
    mode: Mode | null,
    run: (request: FastifyRequest, postId: number) => Promise<{ flash: string; to: string }>,
  ) {
    app.post(`/knowledge/posts/:id/${path}`, { config }, async (request, reply) => {
      const postId = pathId(request.params);
      return withFormErrors(
        reply,
        async (errors) => {
          if (mode) return postPage(request, reply, postId, mode, { errors, values: typed(request.body) });
          const { item } = await discussion.getPost(request.actor!, postId);
          return discussionPage(request, reply, item.id, { errors });
        },
        async () => {
          const done = await run(request, postId);
          reply.flash(done.flash);
          return reply.redirect(done.to, 303);
        },
      );
    });
  }

  postAction('replies', replyPost, 'reply', async (request, postId) => {
    const input = parseForm(replyInput, request.body);
    const id = await discussion.replyTo(request.actor!, postId, input);
    const { item } = await discussion.getPost(request.actor!, id);
    return { flash: 'Your reply is posted.', to: discussionHref(item.id, id) };
  });
  postAction('edit', ownPost, 'edit', async (request, postId) => {
    const input = parseForm(editPostInput, request.body);
    const itemId = await discussion.editPost(request.actor!, postId, input);
    return { flash: 'Your post is saved.', to: discussionHref(itemId, postId) };
  });
  postAction('delete', ownPost, 'delete', async (request, postId) => {
    parseForm(emptyInput, request.body);
    const itemId = await discussion.deletePost(request.actor!, postId);
    return { flash: 'Your post is deleted.', to: discussionHref(itemId) };
  });
  postAction('report', readPost, 'report', async (request, postId) => {
    const input = parseForm(reportInput, request.body);
    await discussion.reportPost(request.actor!, postId, input.reason);
    const { item } = await discussion.getPost(request.actor!, postId);
    return {
      flash: 'Thank you. The moderators will look at the post you reported.',
      to: discussionHref(item.id, postId),
    };
  });
  postAction('accept', readPost, null, async (request, postId) => {
    const input = parseForm(acceptInput, request.body);
    const itemId = await discussion.setAcceptedAnswer(request.actor!, postId, input.replyId);
    return { flash: 'The reply is marked as the accepted answer.', to: discussionHref(itemId, postId) };
  });
  postAction('unaccept', readPost, null, async (request, postId) => {
    parseForm(emptyInput, request.body);
    const itemId = await discussion.setAcceptedAnswer(request.actor!, postId, null);
    return { flash: 'The question has no accepted answer now.', to: discussionHref(itemId, postId) };
  });
}
