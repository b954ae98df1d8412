import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { FileView, KnowledgeFiles } from './knowledge.files.ts';
import type { KnowledgeShare } from './knowledge.share.ts';

const tags = ['knowledge'];
const readers = { access: READER_ROLES, scope: 'item' as const };
const owners = { access: CONTRIBUTOR_ROLES, scope: 'item-owner' as const };
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema };
const linkParams = idParam.extend({ linkId: z.coerce.number().int().positive().max(2_147_483_647) });

const fileOut = z.object({
  id: z.number(),
  itemId: z.number(),
  filename: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  uploadedAt: z.string(),
  uploadedBy: z.string().nullable(),
  downloadUrl: z.string(),
});
const toFileOut = (f: FileView) => ({
  id: f.id,
  itemId: f.itemId,
  filename: f.filename,
  mediaType: f.mediaType,
  sizeBytes: f.sizeBytes,
  sha256: f.sha256,
  uploadedAt: f.uploadedAt.toISOString(),
  uploadedBy: f.uploadedBy,
  downloadUrl: `/knowledge/files/${f.id}`,
});
const linkOut = z.object({
  id: z.number(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  revokedAt: z.string().nullable(),
  active: z.boolean(),
});

/** Files and share links in the JSON API (uploads go through the item's files page). */
export async function filesApi(app: FastifyInstance, opts: { files: KnowledgeFiles; share: KnowledgeShare }) {
  const { files, share } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/knowledge/items/:id/files',
    {
      config: readers,
      schema: {
        tags,
        summary: 'The files on a library item (download each from its downloadUrl)',
        params: idParam,
        response: { 200: z.object({ files: z.array(fileOut) }), ...errors },
      },
    },
    async (request) => ({
      files: (await files.listFiles(request.actor!, request.params.id)).files.map(toFileOut),
    }),
  );

  api.get(
    '/api/v1/knowledge/files/:id',
    {
      config: readers,
      schema: { tags, summary: 'One file’s details', params: idParam, response: { 200: fileOut, ...errors } },
    },
    async (request) => toFileOut(await files.getFile(request.actor!, request.params.id)),
  );

  api.delete(
    '/api/v1/knowledge/files/:id',
    {
      config: owners,
      schema: {
        tags,
        summary: 'Remove a file from its item (the item’s owner or the national team)',
        params: idParam,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await files.removeFile(request.actor!, request.params.id);
      return reply.status(204).send(null);
    },
  );

  api.get(
    '/api/v1/knowledge/items/:id/share-links',
    {
      config: owners,
      schema: {
        tags,
        summary: 'The share links to a public item (never their secrets)',
        params: idParam,
        response: { 200: z.object({ shareable: z.boolean(), links: z.array(linkOut) }), ...errors },
      },
    },
    async (request) => {
      const list = await share.listLinks(request.actor!, request.params.id);
      return {
        shareable: list.shareable,
        links: list.links.map((l) => ({
          id: l.id,
          createdAt: l.createdAt.toISOString(),
          createdBy: l.createdBy,
          revokedAt: l.revokedAt ? l.revokedAt.toISOString() : null,
          active: l.active,
        })),
      };
    },
  );

  api.post(
    '/api/v1/knowledge/items/:id/share-links',
    {
      config: owners,
      schema: {
        tags,
        summary:
          'Make a share link to a published public item: the url (with its secret) is returned only once',
        params: idParam,
        body: z.object({}).strict().optional(),
        response: { 201: z.object({ id: z.number(), url: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const made = await share.createLink(request.actor!, request.params.id);
      reply.status(201).header('cache-control', 'no-store');
      return { id: made.id, url: made.url };
    },
  );

  api.delete(
    '/api/v1/knowledge/items/:id/share-links/:linkId',
    {
      config: owners,
      schema: {
        tags,
        summary: 'Withdraw a share link: it stops opening the item at once',
        params: linkParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await share.revokeLink(request.actor!, request.params.id, request.params.linkId);
      return reply.status(204).send(null);
    },
  );
}
