import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import {
  acceptInput,
  discussionOut,
  discussionQuery,
  editPostInput,
  emptyInput,
  followOut,
  newPostInput,
  postOut,
  replyInput,
  reportInput,
  reportOut,
} from './knowledge.discussion.schemas.ts';
import type { KnowledgeDiscussion } from './knowledge.discussion.ts';
import type { KnowledgeFollows } from './knowledge.follows.ts';

const tags = ['knowledge'];
const readItem = { access: [...READER_ROLES], scope: 'item' as const };
const postOnItem = { access: [...CONTRIBUTOR_ROLES], scope: 'item' as const };
const readPost = { access: [...READER_ROLES], scope: 'post' as const };
const replyPost = { access: [...CONTRIBUTOR_ROLES], scope: 'post' as const };
const ownPost = { access: [...READER_ROLES], scope: 'own' as const };
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema };
const threadOut = z.object({
  item: z.object({ id: z.number().int(), title: z.string() }),
  post: postOut.partial({ itemId: true, acceptedReplyId: true, canAccept: true, replies: true }),
  thread: postOut,
});

/** Discussion of library items in the JSON API. */
export async function discussionApi(
  app: FastifyInstance,
  opts: { discussion: KnowledgeDiscussion; follows: KnowledgeFollows },
) {
  const { discussion, follows } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/knowledge/items/:id/discussion',
    {
      config: readItem,
      schema: {
        tags,
        summary:
          'An item’s posts (oldest first, 20 a page) with their replies; hidden posts without their words',
        params: idParam,
        querystring: discussionQuery,
        response: { 200: discussionOut, ...errors },
      },
    },
    async (request) => discussion.getDiscussion(request.actor!, request.params.id, request.query.page),
  );

  api.post(
    '/api/v1/knowledge/items/:id/posts',
    {
      config: postOnItem,
      schema: {
        tags,
        summary: 'Post a comment or a question on an item; mentions are email addresses of its readers',
        params: idParam,
        body: newPostInput,
        response: { 201: threadOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await discussion.createPost(request.actor!, request.params.id, request.body);
      reply.status(201);
      return discussion.getPost(request.actor!, id);
    },
  );

  api.get(
    '/api/v1/knowledge/posts/:id',
    {
      config: readPost,
      schema: {
        tags,
        summary: 'A post with its thread',
        params: idParam,
        response: { 200: threadOut, ...errors },
      },
    },
    async (request) => discussion.getPost(request.actor!, request.params.id),
  );

  api.post(
    '/api/v1/knowledge/posts/:id/replies',
    {
      config: replyPost,
      schema: {
        tags,
        summary: 'Reply to a post (a reply to a reply joins the same thread)',
        params: idParam,
        body: replyInput,
        response: { 201: threadOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await discussion.replyTo(request.actor!, request.params.id, request.body);
      reply.status(201);
      return discussion.getPost(request.actor!, id);
    },
  );

  api.patch(
    '/api/v1/knowledge/posts/:id',
    {
      config: ownPost,
      schema: {
        tags,
        summary: 'Edit your own post (mentions are added to those it has)',
        params: idParam,
        body: editPostInput,
        response: { 200: threadOut, ...errors },
      },
    },
    async (request) => {
      await discussion.editPost(request.actor!, request.params.id, request.body);
      return discussion.getPost(request.actor!, request.params.id);
    },
  );

  api.delete(
    '/api/v1/knowledge/posts/:id',
    {
      config: ownPost,
      schema: {
        tags,
        summary: 'Delete your own post (not a post others have replied to)',
        params: idParam,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await discussion.deletePost(request.actor!, request.params.id);
      return reply.status(204).send(null);
    },
  );

  api.post(
    '/api/v1/knowledge/posts/:id/accept',
    {
      config: readPost,
      schema: {
        tags,
        summary: 'Mark a reply as the question’s accepted answer (the asker, the item’s owner or national)',
        params: idParam,
        body: acceptInput,
        response: { 200: threadOut, ...errors },
      },
    },
    async (request) => {
      await discussion.setAcceptedAnswer(request.actor!, request.params.id, request.body.replyId);
      return discussion.getPost(request.actor!, request.params.id);
    },
  );

  api.post(
    '/api/v1/knowledge/posts/:id/unaccept',
    {
      config: readPost,
      schema: {
        tags,
        summary: 'Unmark the question’s accepted answer',
        params: idParam,
        body: emptyInput,
        response: { 200: threadOut, ...errors },
      },
    },
    async (request) => {
      await discussion.setAcceptedAnswer(request.actor!, request.params.id, null);
      return discussion.getPost(request.actor!, request.params.id);
    },
  );

  api.post(
    '/api/v1/knowledge/posts/:id/reports',
    {
      config: readPost,
      schema: {
        tags,
        summary: 'Report a post to the moderators (one open report a person a post)',
        params: idParam,
        body: reportInput,
        response: { 201: reportOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await discussion.reportPost(request.actor!, request.params.id, request.body.reason);
      reply.status(201);
      return { id, postId: request.params.id };
    },
  );

  for (const [method, on] of [
    ['PUT', true],
    ['DELETE', false],
  ] as const)
    api.route({
      method,
      url: '/api/v1/knowledge/items/:id/follow',
      config: readItem,
      schema: {
        tags,
        summary: on ? 'Follow an item: be emailed about each new post' : 'Stop following an item',
        params: idParam,
        response: { 200: followOut, ...errors },
      },
      handler: async (request) => {
        if (on) await follows.followItem(request.actor!, request.params.id);
        else await follows.unfollowItem(request.actor!, request.params.id);
        return { itemId: request.params.id, following: on };
      },
    });
}
