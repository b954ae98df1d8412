import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Config } from '../config.ts';

/**
 * Where uploaded files live, by key: a directory on disk (embedded mode) or an S3-compatible bucket.
 * Keys are made by `newStorageKey` (random, never a person's filename) and checked on every call,
 * so no key can name a path outside the store.
 */
export interface FileStore {
  readonly kind: 'disk' | 's3';
  put(key: string, body: Buffer, meta: { contentType: string }): Promise<void>;
  /** The file's bytes as a stream, or null when the store holds nothing under the key. */
  get(key: string): Promise<Readable | null>;
  /** Deletes the file; deleting a key the store does not hold is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

const KEY = /^[a-z0-9]{32,64}$/;

/** A fresh random key: 32 lowercase hex characters (128 bits). */
export function newStorageKey(): string {
  return randomBytes(16).toString('hex');
}

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error('Invalid storage key');
  return key;
}

/** Files on disk under `dir`, fanned out by the key's first two characters. */
export function createDiskFileStore(dir: string): FileStore {
  const root = path.resolve(dir);
  const fileOf = (key: string) => path.join(root, checkKey(key).slice(0, 2), key);
  const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';
  return {
    kind: 'disk',
    async put(key, body) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      // Written whole under a temporary name, then renamed: a reader never sees half a file.
      const temp = `${file}.${randomBytes(6).toString('hex')}.part`;
      try {
        await writeFile(temp, body, { flag: 'wx', mode: 0o600 });
        await rename(temp, file);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async get(key) {
      const file = fileOf(key);
      try {
        if (!(await stat(file)).isFile()) return null;
      } catch (err) {
        if (missing(err)) return null;
        throw err;
      }
      return createReadStream(file);
    },
    async delete(key) {
      try {
        await unlink(fileOf(key));
      } catch (err) {
        if (!missing(err)) throw err;
      }
    },
    async exists(key) {
      try {
        return (await stat(fileOf(key))).isFile();
      } catch (err) {
        if (missing(err)) return false;
        throw err;
      }
    },
  };
}

export type S3StoreOptions = {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
};

/** Files in an S3-compatible bucket (AWS S3, MinIO, Ceph...), through the AWS SDK. */
export function createS3FileStore(opts: S3StoreOptions): FileStore & { close(): void } {
  const client = new S3Client({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    forcePathStyle: opts.forcePathStyle ?? false,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    // Checksums only where S3 requires them: many S3-compatible stores reject the SDK's newer
    // default (CRC32 trailers on every upload).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = opts.bucket;
  const notFound = (err: unknown) => {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
  };
  return {
    kind: 's3',
    async put(key, body, meta) {
      await client.send(
        new PutObjectCommand({ Bucket, Key: checkKey(key), Body: body, ContentType: meta.contentType }),
      );
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: checkKey(key) }));
        if (!out.Body) return null;
        return out.Body instanceof Readable
          ? out.Body
          : Readable.fromWeb(out.Body.transformToWebStream() as never);
      } catch (err) {
        if (notFound(err)) return null;
        throw err;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: checkKey(key) }));
    },
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: checkKey(key) }));
        return true;
      } catch (err) {
        if (notFound(err)) return false;
        throw err;
      }
    },
    close() {
      client.destroy();
    },
  };
}

/** The store the configuration names: the S3 bucket when `S3_BUCKET` is set, else `FILES_DIR`. */
export function createFileStore(config: Pick<Config, 'files'>): FileStore & { close(): void } {
  const store = config.files.store;
  if (store.kind === 's3') return createS3FileStore(store);
  return { ...createDiskFileStore(store.dir), close() {} };
}

/** A stored file as the database records it: which store and which key. */
export type StoredFileRef = { storage: 'disk' | 's3'; key: string };

/**
 * Deletes files after the database no longer refers to them (an erasure, a removed item). A file
 * in a store this server is not configured for, or one the store fails to delete, is reported to
 * `onError` (the log) and does not stop the rest: the database change has already committed.
 */
export async function deleteStoredFiles(
  store: FileStore,
  refs: readonly StoredFileRef[],
  onError: (ref: StoredFileRef, err: unknown) => void,
): Promise<number> {
  let deleted = 0;
  for (const ref of refs) {
    if (ref.storage !== store.kind) {
      onError(ref, new Error(`The file is held in the ${ref.storage} store, which is not configured`));
      continue;
    }
    try {
      await store.delete(ref.key);
      deleted++;
    } catch (err) {
      onError(ref, err);
    }
  }
  return deleted;
}
