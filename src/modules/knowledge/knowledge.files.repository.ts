import type { Executor } from '../../db/database.ts';
import type { StorageKind } from './knowledge.table.ts';

// The SQL of the library's files.

/** At most this many files on one item (the list is one page). */
export const FILES_PER_ITEM = 50;

const FILE_COLUMNS = [
  'f.id',
  'f.item_id',
  'f.storage',
  'f.storage_key',
  'f.filename',
  'f.media_type',
  'f.size_bytes',
  'f.sha256',
  'f.uploaded_at',
] as const;

export function listItemFiles(x: Executor, itemId: number) {
  return x
    .selectFrom('knowledge_files as f')
    .leftJoin('users as u', 'u.id', 'f.uploaded_by')
    .select([...FILE_COLUMNS, 'u.name as uploaded_by_name'])
    .where('f.item_id', '=', itemId)
    .orderBy('f.id')
    .limit(FILES_PER_ITEM)
    .execute();
}

export async function countItemFiles(x: Executor, itemId: number): Promise<number> {
  const row = await x
    .selectFrom('knowledge_files')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('item_id', '=', itemId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findFile(x: Executor, fileId: number) {
  return x
    .selectFrom('knowledge_files as f')
    .select(FILE_COLUMNS)
    .where('f.id', '=', fileId)
    .executeTakeFirst();
}

export async function insertFile(
  x: Executor,
  row: {
    itemId: number;
    storage: StorageKind;
    key: string;
    filename: string;
    mediaType: string;
    sizeBytes: number;
    sha256: string;
    uploadedBy: number;
  },
): Promise<number> {
  const out = await x
    .insertInto('knowledge_files')
    .values({
      item_id: row.itemId,
      storage: row.storage,
      storage_key: row.key,
      filename: row.filename,
      media_type: row.mediaType,
      size_bytes: row.sizeBytes,
      sha256: row.sha256,
      uploaded_by: row.uploadedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return out.id;
}

export function deleteFile(x: Executor, fileId: number) {
  return x
    .deleteFrom('knowledge_files')
    .where('id', '=', fileId)
    .returning(['storage', 'storage_key'])
    .executeTakeFirst();
}

/** The stored files of the items a person owns: what their erasure deletes from the store. */
export function listStoredFilesOfOwner(x: Executor, userId: number) {
  return x
    .selectFrom('knowledge_files as f')
    .innerJoin('knowledge_items as i', 'i.id', 'f.item_id')
    .select(['f.storage', 'f.storage_key'])
    .where('i.owner_user_id', '=', userId)
    .execute();
}
