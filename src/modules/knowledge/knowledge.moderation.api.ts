import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import { discussionQuery, emptyInput, hideInput, queueOut } from './knowledge.discussion.schemas.ts';
import type { KnowledgeModeration } from './knowledge.moderation.ts';

const tags = ['knowledge'];
const moderators = { access: ['regional-lead'] as const };
const moderate = { ...moderators, scope: 'moderation' as const };
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema };
const doneOut = z.object({ postId: z.number().int(), hidden: z.boolean() });

/** Moderation of library discussion in the JSON API. */
export async function moderationApi(app: FastifyInstance, opts: { moderation: KnowledgeModeration }) {
  const { moderation } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/knowledge/moderation',
    {
      config: moderators,
      schema: {
        tags,
        summary: 'Reported and hidden posts in the discussions you moderate, newest first',
        querystring: discussionQuery,
        response: { 200: queueOut, 400: apiErrorSchema, 403: apiErrorSchema },
      },
    },
    async (request) => moderation.listQueue(request.actor!, request.query.page),
  );

  api.post(
    '/api/v1/knowledge/posts/:id/hide',
    {
      config: moderate,
      schema: {
        tags,
        summary: 'Hide a post with a reason (its open reports close; its author is emailed)',
        params: idParam,
        body: hideInput,
        response: { 200: doneOut, ...errors },
      },
    },
    async (request) => {
      await moderation.hidePost(request.actor!, request.params.id, request.body.reason);
      return { postId: request.params.id, hidden: true };
    },
  );

  api.post(
    '/api/v1/knowledge/posts/:id/restore',
    {
      config: moderate,
      schema: {
        tags,
        summary: 'Restore a hidden post',
        params: idParam,
        body: emptyInput,
        response: { 200: doneOut, ...errors },
      },
    },
    async (request) => {
      await moderation.restorePost(request.actor!, request.params.id);
      return { postId: request.params.id, hidden: false };
    },
  );

  api.post(
    '/api/v1/knowledge/posts/:id/keep',
    {
      config: moderate,
      schema: {
        tags,
        summary: 'Keep a reported post as it is, closing its open reports',
        params: idParam,
        body: emptyInput,
        response: { 200: doneOut, ...errors },
      },
    },
    async (request) => {
      await moderation.keepPost(request.actor!, request.params.id);
      return { postId: request.params.id, hidden: false };
    },
  );
}
