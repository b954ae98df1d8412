import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError } from '../../platform/errors.ts';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import type { FileView, KnowledgeFiles } from './knowledge.files.ts';
import type { KnowledgeShare } from './knowledge.share.ts';

const tags = ['knowledge'];
const readers = { access: READER_ROLES, scope: 'item' as const };
const owners = { access: CONTRIBUTOR_ROLES, scope: 'item-owner' as const };
const errors = {
  400: apiErrorSchema,
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
};
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

/** Files and share links in the JSON API; an upload is one multipart part named `file`. */
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

  // Uploads: multipart in a scope of their own (as the files page), one file of at most maxBytes.
  await app.register(async (scoped) => {
    await scoped.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: files.maxBytes, files: 1, fields: 5, parts: 6 },
      throwFileSizeLimit: true,
      async onFile(part) {
        const data = await part.toBuffer();
        (part as unknown as { value: unknown }).value = {
          filename: part.filename,
          declaredType: part.mimetype,
          data,
        };
      },
    });
    const maxMb = Math.round((files.maxBytes / 1024 / 1024) * 10) / 10;
    scoped.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/knowledge/items/:id/files',
      {
        config: owners,
        schema: {
          tags,
          summary: `Upload a file to a library item (its owner or the national team): multipart/form-data with one part named "file", at most ${maxMb} MB, checked by its content (PDF, Office documents, images, text, CSV)`,
          consumes: ['multipart/form-data'],
          params: idParam,
          response: { 201: fileOut, 413: apiErrorSchema, ...errors },
        },
        errorHandler: async (err, request, reply) => {
          const e = err as { code?: string; statusCode?: number; message?: string };
          const tooLarge = e.code === 'FST_REQ_FILE_TOO_LARGE' || e.statusCode === 413;
          const tooMany =
            e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FILES_LIMIT' || e.code === 'FST_FIELDS_LIMIT';
          const unreadable =
            e.statusCode === undefined &&
            /^(Multipart: |Unexpected end of (form|multipart data)|Malformed part header)/.test(
              e.message ?? '',
            );
          if (!tooLarge && !tooMany && !unreadable) throw err;
          // Someone who may not manage the item learns nothing from what they sent.
          const id = idParam.safeParse(request.params);
          if (id.success) await files.checkManage(request.actor!, id.data.id);
          const message = tooLarge
            ? `The file must be smaller than ${maxMb} MB`
            : tooMany
              ? 'Upload one file at a time'
              : 'The upload could not be read: send the file again';
          return reply.status(tooLarge ? 413 : 400).send({
            error: {
              code: tooLarge ? 'payload_too_large' : 'validation_failed',
              message,
              fields: [{ field: 'file', message }],
            },
          });
        },
      },
      async (request, reply) => {
        const file = (request.body as Record<string, unknown> | undefined)?.file as
          { filename?: unknown; declaredType?: unknown; data?: unknown } | undefined;
        const upload =
          file && typeof file === 'object' && Buffer.isBuffer(file.data)
            ? {
                filename: typeof file.filename === 'string' ? file.filename : '',
                declaredType: typeof file.declaredType === 'string' ? file.declaredType : undefined,
                data: file.data,
              }
            : null;
        if (!upload) {
          await files.checkManage(request.actor!, request.params.id);
          throw new ValidationError([
            { field: 'file', message: 'Send the file as multipart/form-data, in a part named "file"' },
          ]);
        }
        const saved = await files.uploadFile(request.actor!, request.params.id, upload);
        reply.status(201);
        return toFileOut(saved);
      },
    );
  });

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
