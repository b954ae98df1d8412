import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type FileStore, newStorageKey } from '../../platform/file-store.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { KnowledgeAccess } from './knowledge.access.ts';
import { checkFileContent, displayFilename, FILE_KINDS } from './knowledge.files.content.ts';
import * as repo from './knowledge.files.repository.ts';

export type FileView = {
  id: number;
  itemId: number;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  size: string;
  sha256: string;
  uploadedAt: Date;
  uploadedBy: string | null;
};

export type Upload = { filename: string; declaredType?: string | undefined; data: Buffer };

type Log = { error(obj: unknown, msg: string): void };

/** "1.2 MB", "340 KB", "12 bytes". */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

function toView(row: Awaited<ReturnType<typeof repo.listItemFiles>>[number]): FileView {
  return {
    id: row.id,
    itemId: row.item_id,
    filename: row.filename,
    mediaType: row.media_type,
    sizeBytes: row.size_bytes,
    size: formatSize(row.size_bytes),
    sha256: row.sha256,
    uploadedAt: row.uploaded_at,
    uploadedBy: row.uploaded_by_name,
  };
}

/**
 * Files on library items: uploaded by the item's owner or the national team, checked by their
 * content, kept in the file store under random keys, and downloaded by the item's readers.
 */
export function createKnowledgeFiles(deps: {
  db: DB;
  access: KnowledgeAccess;
  store: FileStore;
  maxBytes: number;
  log: Log;
}) {
  const { db, access, store, maxBytes, log } = deps;

  async function listFiles(actor: Actor, itemId: number) {
    const { item, manage } = await access.loadItemFor(actor, itemId);
    const files = (await repo.listItemFiles(db, itemId)).map(toView);
    return {
      item: { id: item.id, title: item.title, status: item.status, visibility: item.visibility },
      manage,
      files,
    };
  }

  async function uploadFile(actor: Actor, itemId: number, upload: Upload): Promise<FileView> {
    const { item } = await access.loadItemToManage(actor, itemId);
    if (upload.data.length > maxBytes)
      throw new ValidationError([
        { field: 'file', message: `The file must be smaller than ${maxBytes / 1024 / 1024} MB` },
      ]);
    const checked = await checkFileContent(upload.data, upload);
    if (!checked.ok) throw new ValidationError([{ field: 'file', message: checked.message }]);
    if ((await repo.countItemFiles(db, item.id)) >= repo.FILES_PER_ITEM)
      throw new ConflictError(`An item can hold at most ${repo.FILES_PER_ITEM} files: remove one first`);
    const kind = FILE_KINDS[checked.kind];
    const filename = displayFilename(upload.filename, checked.kind);
    const sha256 = createHash('sha256').update(upload.data).digest('hex');
    const key = newStorageKey();
    // The blob first, then the row in one short transaction; a failed insert takes the blob away.
    await store.put(key, upload.data, { contentType: kind.mediaType });
    let fileId: number;
    try {
      fileId = await db.transaction().execute(async (trx) => {
        const id = await repo.insertFile(trx, {
          itemId: item.id,
          storage: store.kind,
          key,
          filename,
          mediaType: kind.mediaType,
          sizeBytes: upload.data.length,
          sha256,
          uploadedBy: actor.userId,
        });
        await recordAudit(trx, actor, {
          action: 'knowledge.file.upload',
          entityType: 'knowledge_item',
          entityId: item.id,
          summary: `Uploaded a file (${kind.label}, ${formatSize(upload.data.length)}) to library item #${item.id}`,
          details: { fileId: id, sha256, bytes: upload.data.length, type: kind.mediaType },
        });
        return id;
      });
    } catch (err) {
      await store
        .delete(key)
        .catch((e: unknown) => log.error({ err: e, key }, 'an orphan file was left in the store'));
      throw err;
    }
    const row = (await repo.listItemFiles(db, item.id)).find((f) => f.id === fileId);
    return toView(row!);
  }

  async function loadFile(actor: Actor, fileId: number) {
    const file = await repo.findFile(db, fileId);
    if (!file) throw new NotFoundError('There is no such file in the library');
    const found = await access.loadItemFor(actor, file.item_id).catch((err: unknown) => {
      if (err instanceof NotFoundError) throw new NotFoundError('There is no such file in the library');
      throw err;
    });
    return { file, ...found };
  }

  async function removeFile(actor: Actor, fileId: number): Promise<{ itemId: number; filename: string }> {
    const { file } = await loadFile(actor, fileId);
    await access.loadItemToManage(actor, file.item_id);
    const removed = await db.transaction().execute(async (trx) => {
      const gone = await repo.deleteFile(trx, fileId);
      if (!gone) throw new NotFoundError('There is no such file in the library');
      await recordAudit(trx, actor, {
        action: 'knowledge.file.remove',
        entityType: 'knowledge_item',
        entityId: file.item_id,
        summary: `Removed a file from library item #${file.item_id}`,
        details: { fileId, sha256: file.sha256 },
      });
      return gone;
    });
    // After the commit: a failed delete leaves an unreferenced blob (logged), never a row without one.
    if (removed.storage === store.kind)
      await store
        .delete(removed.storage_key)
        .catch((err: unknown) =>
          log.error({ err, fileId }, 'a removed file could not be deleted from the store'),
        );
    return { itemId: file.item_id, filename: file.filename };
  }

  /** The file's bytes as a stream with what the download needs; 404 for anyone but its readers. */
  async function openFileRow(file: NonNullable<Awaited<ReturnType<typeof repo.findFile>>>) {
    if (file.storage !== store.kind) {
      log.error(
        { fileId: file.id, storage: file.storage },
        'a file is held in a store that is not configured',
      );
      throw new NotFoundError('This file is not available at the moment');
    }
    const stream: Readable | null = await store.get(file.storage_key);
    if (!stream) {
      log.error({ fileId: file.id }, 'a file row has no blob in the store');
      throw new NotFoundError('This file is not available at the moment');
    }
    return {
      stream,
      filename: file.filename,
      mediaType: file.media_type,
      sizeBytes: file.size_bytes,
      sha256: file.sha256,
    };
  }

  async function openFile(actor: Actor, fileId: number) {
    const { file } = await loadFile(actor, fileId);
    return openFileRow(file);
  }

  /** A file of a shared item, for a share link's holder (the link is checked by the caller). */
  async function openFileOfItem(itemId: number, fileId: number) {
    const file = await repo.findFile(db, fileId);
    if (!file || file.item_id !== itemId) throw new NotFoundError('There is no such file on this item');
    return openFileRow(file);
  }

  async function listFilesOfItem(itemId: number): Promise<FileView[]> {
    return (await repo.listItemFiles(db, itemId)).map(toView);
  }

  async function getFile(actor: Actor, fileId: number): Promise<FileView> {
    const { file } = await loadFile(actor, fileId);
    const row = (await repo.listItemFiles(db, file.item_id)).find((f) => f.id === fileId);
    if (!row) throw new NotFoundError('There is no such file in the library');
    return toView(row);
  }

  /** Refuses (403 or 404) anyone who may not manage the item's files. */
  async function checkManage(actor: Actor, itemId: number): Promise<void> {
    await access.loadItemToManage(actor, itemId);
  }

  return {
    listFiles,
    checkManage,
    uploadFile,
    removeFile,
    openFile,
    openFileOfItem,
    listFilesOfItem,
    getFile,
    maxBytes,
  };
}
export type KnowledgeFiles = ReturnType<typeof createKnowledgeFiles>;
