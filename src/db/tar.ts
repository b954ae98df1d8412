import { createReadStream, createWriteStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

/**
 * The few lines of POSIX tar (ustar) a backup file needs: a manifest and one payload, so that a
 * backup is one file that `tar -xf` also opens by hand. Entries are regular files in one directory.
 */
const BLOCK = 512;

function header(name: string, size: number, mtime: Date): Buffer {
  if (Buffer.byteLength(name) > 99) throw new Error(`tar entry name too long: ${name}`);
  const h = Buffer.alloc(BLOCK, 0);
  const put = (value: string, offset: number, length: number) => h.write(value, offset, length, 'ascii');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);

export type TarSource = { name: string } & ({ data: Buffer } | { file: string });

/** Writes the entries to `out` as a tar file. */
export async function writeTar(out: string, entries: TarSource[]): Promise<void> {
  const stream = createWriteStream(out, { flags: 'wx' });
  const now = new Date();
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => stream.write(chunk, (err) => (err ? reject(err) : resolve())));
  try {
    for (const entry of entries) {
      const size = 'data' in entry ? entry.data.length : (await stat(entry.file)).size;
      await write(header(entry.name, size, now));
      if ('data' in entry) await write(entry.data);
      else await pipeline(createReadStream(entry.file), stream, { end: false });
      await write(padding(size));
    }
    await write(Buffer.alloc(BLOCK * 2, 0));
  } finally {
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
}

export type TarEntry = { name: string; offset: number; size: number };

/** Lists a tar file's regular-file entries with where their contents start; throws on anything else. */
export async function listTar(file: string): Promise<TarEntry[]> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    const { size: total } = await fh.stat();
    const entries: TarEntry[] = [];
    const h = Buffer.alloc(BLOCK);
    let offset = 0;
    while (offset + BLOCK <= total) {
      const { bytesRead } = await fh.read(h, 0, BLOCK, offset);
      if (bytesRead < BLOCK) break;
      if (h.every((b) => b === 0)) return entries;
      if (h.toString('ascii', 257, 262) !== 'ustar') throw new Error('not a tar file');
      const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
      const size = parseInt(h.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim(), 8);
      if (!Number.isFinite(size) || size < 0) throw new Error('damaged tar header');
      const type = h.toString('ascii', 156, 157);
      if (type === '0' || type === '\0') entries.push({ name, offset: offset + BLOCK, size });
      offset += BLOCK + size + ((BLOCK - (size % BLOCK)) % BLOCK);
      if (offset > total) throw new Error('the file ends in the middle of an entry (truncated?)');
    }
    throw new Error('the file ends without the end-of-archive marker (truncated?)');
  } finally {
    await fh?.close();
  }
}

/** Reads one entry's contents into memory. */
export async function readTarEntry(file: string, entry: TarEntry): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(entry.size);
    const { bytesRead } = await fh.read(buf, 0, entry.size, entry.offset);
    if (bytesRead !== entry.size) throw new Error(`${entry.name} is truncated`);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Copies one entry's contents to a file of its own. */
export async function extractTarEntry(file: string, entry: TarEntry, out: string): Promise<void> {
  if (entry.size === 0) {
    await (await open(out, 'wx')).close();
    return;
  }
  await pipeline(
    createReadStream(file, { start: entry.offset, end: entry.offset + entry.size - 1 }),
    createWriteStream(out, { flags: 'wx' }),
  );
}
