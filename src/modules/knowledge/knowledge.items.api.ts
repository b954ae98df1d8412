import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { KnowledgeItems } from './knowledge.items.ts';
import {
  cycleDetailOut,
  cycleInput,
  cycleMoveInput,
  cycleParams,
  emptyInput,
  itemDetailOut,
  itemInput,
  itemListOut,
  libraryQuery,
  statusNoteInput,
  topicInput,
  topicListOut,
  topicOut,
  versionListOut,
  versionOut,
  versionParams,
} from './knowledge.items.schemas.ts';

const tags = ['knowledge'];
const readers = { access: READER_ROLES };
const contributors = { access: CONTRIBUTOR_ROLES };
const item = { ...readers, scope: 'item' as const };
const owner = { ...contributors, scope: 'item-owner' as const };
const national = { access: ['national'] as const };
const errors = {
  400: apiErrorSchema,
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
};

/**
 * The library in the JSON API, with the same rules as its pages: the list (filters and access
 * applied in SQL, paginated), an item with its PDSA cycles, organisations, topics and versions,
 * drafting, editing, publishing and archiving, PDSA cycles, versions with a word diff, and topics.
 */
export async function itemsApi(app: FastifyInstance, opts: { items: KnowledgeItems }) {
  const { items } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/knowledge/items',
    {
      config: readers,
      schema: {
        tags,
        summary:
          'Library items you may read, newest first, 20 a page: published items for their readers and your own drafts (filter by kind and topic)',
        querystring: libraryQuery,
        response: { 200: itemListOut, ...errors },
      },
    },
    async (request) => items.listLibrary(request.actor!, request.query),
  );

  api.post(
    '/api/v1/knowledge/items',
    {
      config: contributors,
      schema: {
        tags,
        summary: 'Draft a library item: only you (and the national team) can read it until it is published',
        body: itemInput,
        response: { 201: itemDetailOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await items.createItem(request.actor!, request.body);
      reply.status(201);
      return items.getItemDetail(request.actor!, id);
    },
  );

  api.get(
    '/api/v1/knowledge/items/:id',
    {
      config: item,
      schema: {
        tags,
        summary:
          'One library item with its PDSA cycles, organisations, topics and versions (404 for an item you may not read)',
        params: idParam,
        response: { 200: itemDetailOut, ...errors },
      },
    },
    async (request) => items.getItemDetail(request.actor!, request.params.id),
  );

  api.put(
    '/api/v1/knowledge/items/:id',
    {
      config: owner,
      schema: {
        tags,
        summary:
          'Change a library item (its owner or the national team): every field is sent; a published item keeps a new version',
        params: idParam,
        body: itemInput,
        response: { 200: itemDetailOut, ...errors },
      },
    },
    async (request) => {
      await items.updateItem(request.actor!, request.params.id, request.body);
      return items.getItemDetail(request.actor!, request.params.id);
    },
  );

  api.post(
    '/api/v1/knowledge/items/:id/publish',
    {
      config: owner,
      schema: {
        tags,
        summary: 'Publish a library item to its readers (writes a version, with an optional note)',
        params: idParam,
        body: statusNoteInput,
        response: { 200: itemDetailOut, ...errors },
      },
    },
    async (request) => {
      await items.publishItem(request.actor!, request.params.id, request.body.note ?? null);
      return items.getItemDetail(request.actor!, request.params.id);
    },
  );

  api.post(
    '/api/v1/knowledge/items/:id/archive',
    {
      config: owner,
      schema: {
        tags,
        summary: 'Archive a library item: it leaves the library for everyone but its owner and national',
        params: idParam,
        body: emptyInput,
        response: { 200: itemDetailOut, ...errors },
      },
    },
    async (request) => {
      await items.archiveItem(request.actor!, request.params.id);
      return items.getItemDetail(request.actor!, request.params.id);
    },
  );

  // PDSA cycles of a case study.
  api.post(
    '/api/v1/knowledge/items/:id/cycles',
    {
      config: owner,
      schema: {
        tags,
        summary: 'Add a PDSA cycle (plan, prediction, what happened, adopt/adapt/abandon) to a case study',
        params: idParam,
        body: cycleInput,
        response: { 201: cycleDetailOut, ...errors },
      },
    },
    async (request, reply) => {
      const cycleId = await items.addCycle(request.actor!, request.params.id, request.body);
      reply.status(201);
      return items.getCycle(request.actor!, request.params.id, cycleId);
    },
  );

  api.put(
    '/api/v1/knowledge/items/:id/cycles/:cycleId',
    {
      config: owner,
      schema: {
        tags,
        summary: 'Change a PDSA cycle (every field is sent)',
        params: cycleParams,
        body: cycleInput,
        response: { 200: cycleDetailOut, ...errors },
      },
    },
    async (request) => {
      const { id, cycleId } = request.params;
      await items.updateCycle(request.actor!, id, cycleId, request.body);
      return items.getCycle(request.actor!, id, cycleId);
    },
  );

  api.post(
    '/api/v1/knowledge/items/:id/cycles/:cycleId/move',
    {
      config: owner,
      schema: {
        tags,
        summary: 'Move a PDSA cycle one place up or down',
        params: cycleParams,
        body: cycleMoveInput,
        response: { 200: cycleDetailOut, ...errors },
      },
    },
    async (request) => {
      const { id, cycleId } = request.params;
      await items.moveCycle(request.actor!, id, cycleId, request.body.direction);
      return items.getCycle(request.actor!, id, cycleId);
    },
  );

  api.delete(
    '/api/v1/knowledge/items/:id/cycles/:cycleId',
    {
      config: owner,
      schema: {
        tags,
        summary: 'Remove a PDSA cycle',
        params: cycleParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await items.removeCycle(request.actor!, request.params.id, request.params.cycleId);
      return reply.status(204).send(null);
    },
  );

  // Versions.
  api.get(
    '/api/v1/knowledge/items/:id/versions',
    {
      config: item,
      schema: {
        tags,
        summary: 'The versions of a library item, newest first',
        params: idParam,
        response: { 200: versionListOut, ...errors },
      },
    },
    async (request) => ({ versions: (await items.listVersions(request.actor!, request.params.id)).versions }),
  );

  api.get(
    '/api/v1/knowledge/items/:id/versions/:version',
    {
      config: item,
      schema: {
        tags,
        summary:
          'One version of a library item with each field’s word diff from the version before (parts: same, ins, del)',
        params: versionParams,
        response: { 200: versionOut, ...errors },
      },
    },
    async (request) => {
      const v = await items.getVersion(request.actor!, request.params.id, request.params.version);
      return {
        version: v.version,
        previous: v.previous,
        changedAt: v.changedAt,
        changedBy: v.changedBy,
        note: v.note,
        fields: v.fields,
      };
    },
  );

  // Topics, named by the national team.
  api.get(
    '/api/v1/knowledge/topics',
    {
      config: readers,
      schema: { tags, summary: 'The library’s topics', response: { 200: topicListOut, ...errors } },
    },
    async (request) => ({ topics: await items.listTopics(request.actor!) }),
  );

  api.post(
    '/api/v1/knowledge/topics',
    {
      config: national,
      schema: {
        tags,
        summary: 'Add a library topic (national team)',
        body: topicInput,
        response: { 201: topicOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await items.addTopic(request.actor!, request.body.name);
      reply.status(201);
      return { id, name: request.body.name };
    },
  );

  api.put(
    '/api/v1/knowledge/topics/:id',
    {
      config: { ...national, scope: 'network' as const },
      schema: {
        tags,
        summary: 'Rename a library topic (national team)',
        params: idParam,
        body: topicInput,
        response: { 200: topicOut, ...errors },
      },
    },
    async (request) => {
      await items.renameTopic(request.actor!, request.params.id, request.body.name);
      return { id: request.params.id, name: request.body.name };
    },
  );
}
