import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import { pathId, withFormErrors } from '../../platform/forms.ts';
import { CONTRIBUTOR_ROLES, READER_ROLES } from './knowledge.access.ts';
import { ALLOWED_LIST, attachmentDisposition } from './knowledge.files.content.ts';
import type { KnowledgeFiles } from './knowledge.files.ts';

const V = 'modules/knowledge/views/files';
const readers = { access: READER_ROLES, scope: 'item' as const };
const owners = { access: CONTRIBUTOR_ROLES, scope: 'item-owner' as const };

type Opened = {
  stream: NodeJS.ReadableStream;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
};

/**
 * Sends a stored file as a download that no browser runs: its detected type, an attachment with a
 * safe name, no sniffing, a sandbox policy with nothing allowed, and private caching only.
 */
export function sendDownload(reply: FastifyReply, file: Opened) {
  return reply
    .header('content-type', file.mediaType)
    .header('content-length', String(file.sizeBytes))
    .header('content-disposition', attachmentDisposition(file.filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('cache-control', 'private, max-age=0, must-revalidate')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('etag', `"${file.sha256}"`)
    .send(file.stream);
}

/** An item's files: the list for its readers, uploading and removing for its owner and national. */
export async function filesPages(app: FastifyInstance, opts: { files: KnowledgeFiles }) {
  const { files } = opts;
  const maxMb = Math.round((files.maxBytes / 1024 / 1024) * 10) / 10;

  app.get('/knowledge/files/:id', { config: readers }, async (request, reply) =>
    sendDownload(reply, await files.openFile(request.actor!, pathId(request.params))),
  );

  // A plain form: outside the multipart scope.
  app.post('/knowledge/files/:id/remove', { config: owners }, async (request, reply) => {
    const removed = await files.removeFile(request.actor!, pathId(request.params));
    reply.flash(`The file ${removed.filename} has been removed`);
    return reply.redirect(`/knowledge/items/${removed.itemId}/files`, 303);
  });

  await app.register(async (scoped) => {
    await scoped.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: files.maxBytes, files: 1, fields: 5, parts: 6 },
      throwFileSizeLimit: true,
      // The file keeps its given name and declared type beside its bytes (checked, never trusted).
      async onFile(part) {
        const data = await part.toBuffer();
        (part as unknown as { value: unknown }).value = {
          filename: part.filename,
          declaredType: part.mimetype,
          data,
        };
      },
    });

    async function filesPage(
      reply: FastifyReply,
      actor: Parameters<KnowledgeFiles['listFiles']>[0],
      itemId: number,
      errors?: { field: string; message: string }[],
    ) {
      const list = await files.listFiles(actor, itemId);
      return reply.page(`${V}/files.njk`, {
        pageTitle: `Files: ${list.item.title}`,
        backHref: `/knowledge/items/${itemId}`,
        ...list,
        maxMb,
        allowed: ALLOWED_LIST,
        errors,
      });
    }

    scoped.get('/knowledge/items/:id/files', { config: readers }, async (request, reply) =>
      filesPage(reply, request.actor!, pathId(request.params)),
    );

    const tooLarge = (err: { code?: string; statusCode?: number }) =>
      err.code === 'FST_REQ_FILE_TOO_LARGE' || err.statusCode === 413;
    const tooMany = (err: { code?: string }) =>
      err.code === 'FST_PARTS_LIMIT' || err.code === 'FST_FILES_LIMIT' || err.code === 'FST_FIELDS_LIMIT';
    // A body the multipart parser cannot read: busboy throws a plain Error without a status.
    const unreadable = (err: { statusCode?: number; message?: string }) =>
      err.statusCode === undefined &&
      /^(Multipart: |Unexpected end of (form|multipart data)|Malformed part header)/.test(err.message ?? '');

    scoped.post(
      '/knowledge/items/:id/files',
      {
        config: owners,
        errorHandler: async (err, request, reply) => {
          const e = err as { code?: string; statusCode?: number; message?: string };
          if (!tooLarge(e) && !tooMany(e) && !unreadable(e)) throw err;
          const itemId = pathId(request.params);
          reply.status(tooLarge(e) ? 413 : 400);
          return filesPage(reply, request.actor!, itemId, [
            {
              field: 'file',
              message: tooLarge(e)
                ? `The file must be smaller than ${maxMb} MB`
                : tooMany(e)
                  ? 'Upload one file at a time'
                  : 'The upload could not be read: select the file again',
            },
          ]);
        },
      },
      async (request, reply) => {
        const itemId = pathId(request.params);
        return withFormErrors(
          reply,
          (errors) => filesPage(reply, request.actor!, itemId, errors),
          async () => {
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
            // The item is checked before the file, so someone who may not manage it learns nothing more.
            if (!upload) {
              await files.checkManage(request.actor!, itemId);
              throw new ValidationError([{ field: 'file', message: 'Select a file to upload' }]);
            }
            const saved = await files.uploadFile(request.actor!, itemId, upload!);
            reply.flash(`The file ${saved.filename} has been uploaded`);
            return reply.redirect(`/knowledge/items/${itemId}/files`, 303);
          },
        );
      },
    );
  });
}
