import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import type { KnowledgeSynonyms } from './knowledge.synonyms.ts';
import {
  synonymGroupInput,
  synonymGroupOut,
  synonymListOut,
  synonymListQuery,
} from './knowledge.synonyms.schemas.ts';

const tags = ['knowledge'];
const national = { access: ['national'] as const };
const group = { ...national, scope: 'network' as const };
const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema };

/** The clinical synonym groups in the JSON API (the national team's). */
export async function synonymsApi(app: FastifyInstance, opts: { synonyms: KnowledgeSynonyms }) {
  const { synonyms } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/knowledge/synonyms',
    {
      config: national,
      schema: {
        tags,
        summary: 'The clinical synonym groups search expands a query with (q: a term contains these letters)',
        querystring: synonymListQuery,
        response: { 200: synonymListOut, ...errors },
      },
    },
    async (request) => synonyms.listGroups(request.actor!, request.query),
  );

  api.post(
    '/api/v1/knowledge/synonyms',
    {
      config: national,
      schema: {
        tags,
        summary:
          'Add a synonym group: terms that mean the same to search (a term may be in one group only); used by the next search',
        body: synonymGroupInput,
        response: { 201: synonymGroupOut, 409: apiErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return synonyms.addGroup(request.actor!, request.body.terms);
    },
  );

  api.get(
    '/api/v1/knowledge/synonyms/:id',
    {
      config: group,
      schema: {
        tags,
        summary: 'A synonym group',
        params: idParam,
        response: { 200: synonymGroupOut, ...errors },
      },
    },
    async (request) => synonyms.getGroup(request.actor!, request.params.id),
  );

  api.put(
    '/api/v1/knowledge/synonyms/:id',
    {
      config: group,
      schema: {
        tags,
        summary: 'Replace a synonym group’s terms',
        params: idParam,
        body: synonymGroupInput,
        response: { 200: synonymGroupOut, 409: apiErrorSchema, ...errors },
      },
    },
    async (request) => synonyms.editGroup(request.actor!, request.params.id, request.body.terms),
  );

  api.delete(
    '/api/v1/knowledge/synonyms/:id',
    {
      config: group,
      schema: {
        tags,
        summary: 'Delete a synonym group',
        params: idParam,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await synonyms.deleteGroup(request.actor!, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
