import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';

/**
 * What the library accepts, decided by a file's bytes (not its name or the type the browser
 * declared): PDF, PNG, JPEG, Word, Excel and PowerPoint documents, and plain text or CSV (which no
 * signature identifies, so they pass a strict check: valid UTF-8, no NUL or other control bytes,
 * and no markup a browser would run as a web page).
 */
export type FileKind = 'pdf' | 'png' | 'jpeg' | 'docx' | 'xlsx' | 'pptx' | 'text' | 'csv';

type KindInfo = { mediaType: string; label: string; extensions: string[]; declared: string[] };

export const FILE_KINDS: Record<FileKind, KindInfo> = {
  pdf: {
    mediaType: 'application/pdf',
    label: 'a PDF document',
    extensions: ['pdf'],
    declared: ['application/pdf', 'application/x-pdf'],
  },
  png: { mediaType: 'image/png', label: 'a PNG image', extensions: ['png'], declared: ['image/png'] },
  jpeg: {
    mediaType: 'image/jpeg',
    label: 'a JPEG image',
    extensions: ['jpg', 'jpeg'],
    declared: ['image/jpeg', 'image/jpg', 'image/pjpeg'],
  },
  docx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    label: 'a Word document',
    extensions: ['docx'],
    declared: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  },
  xlsx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    label: 'an Excel spreadsheet',
    extensions: ['xlsx'],
    declared: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  },
  pptx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    label: 'a PowerPoint presentation',
    extensions: ['pptx'],
    declared: ['application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  },
  text: {
    mediaType: 'text/plain; charset=utf-8',
    label: 'a plain text file',
    extensions: ['txt', 'text', 'md'],
    declared: ['text/plain', 'text/markdown', 'text/x-markdown'],
  },
  csv: {
    mediaType: 'text/csv; charset=utf-8',
    label: 'a CSV file',
    extensions: ['csv'],
    // Windows browsers declare CSV files as Excel's.
    declared: ['text/csv', 'application/csv', 'text/x-csv', 'application/vnd.ms-excel', 'text/plain'],
  },
};

export const ALLOWED_LIST =
  'PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), plain text or CSV';

/** Names for what file-type finds that the library does not take, for a clear refusal. */
const OTHER_LABELS: Record<string, string> = {
  gif: 'a GIF image',
  webp: 'a WebP image',
  svg: 'an SVG image',
  zip: 'a ZIP archive',
  exe: 'a Windows program',
  elf: 'a Linux program',
  xml: 'an XML file',
  html: 'a web page (HTML)',
  doc: 'an old-style Word document (.doc)',
  xls: 'an old-style Excel spreadsheet (.xls)',
  ppt: 'an old-style PowerPoint presentation (.ppt)',
  cfb: 'an old-style Office document',
  rtf: 'a rich text file (RTF)',
  mp4: 'a video',
  mp3: 'an audio file',
};

export type Checked = { ok: true; kind: FileKind } | { ok: false; message: string };

// Markup a browser would run if the file were ever shown as a page: refused even though the file is
// text. "a < b" and "<5 days" stay text.
const MARKUP =
  /<\s*(?:!doctype|html|head|body|script|iframe|frame|svg|object|embed|meta|link|style|form|img|a\s|base|math|template)\b|<\?xml|<!--/i;

function textKind(data: Buffer): 'text' | 'markup' | 'binary' {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return 'binary';
  }
  // eslint-disable-next-line no-control-regex -- control bytes are what the check is for
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return 'binary';
  return MARKUP.test(text) ? 'markup' : 'text';
}

function extensionOf(filename: string): string | null {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(filename.trim());
  return m ? m[1]!.toLowerCase() : null;
}

/** The declared media type without parameters; the "no idea" types count as no claim. */
function declaredOf(type: string | undefined): string | null {
  const t = (type ?? '').split(';')[0]!.trim().toLowerCase();
  return !t || t === 'application/octet-stream' || t === 'binary/octet-stream' ? null : t;
}

function claimedKinds(extension: string | null, declared: string | null) {
  const all = Object.entries(FILE_KINDS) as [FileKind, KindInfo][];
  return {
    byName: extension ? all.filter(([, k]) => k.extensions.includes(extension)).map(([kind]) => kind) : null,
    byType: declared ? all.filter(([, k]) => k.declared.includes(declared)).map(([kind]) => kind) : null,
  };
}

/**
 * Decides what a file really is and whether the library takes it. A file whose name or declared
 * type says one thing and whose bytes another is refused, saying what it really is.
 */
export async function checkFileContent(
  data: Buffer,
  claimed: { filename: string; declaredType?: string | undefined },
): Promise<Checked> {
  if (data.length === 0) return { ok: false, message: 'The selected file is empty' };
  const found = await fileTypeFromBuffer(data);
  let kind: FileKind | null = null;
  let really: string;
  if (found) {
    const map: Record<string, FileKind> = {
      pdf: 'pdf',
      png: 'png',
      jpg: 'jpeg',
      docx: 'docx',
      xlsx: 'xlsx',
      pptx: 'pptx',
    };
    kind = map[found.ext] ?? null;
    really = kind ? FILE_KINDS[kind].label : (OTHER_LABELS[found.ext] ?? `a ${found.ext.toUpperCase()} file`);
  } else {
    const t = textKind(data);
    if (t === 'text') {
      kind = extensionOf(claimed.filename) === 'csv' ? 'csv' : 'text';
      really = FILE_KINDS[kind].label;
    } else if (t === 'markup') {
      return {
        ok: false,
        message:
          'The file is a web page or holds web page code (HTML, SVG or XML), which the library does not take: save it as a PDF instead',
      };
    } else {
      really = 'a file of a type that cannot be recognised';
    }
  }
  if (!kind) return { ok: false, message: `The file is ${really}. Upload a ${ALLOWED_LIST} file` };

  const extension = extensionOf(claimed.filename);
  const declared = declaredOf(claimed.declaredType);
  const { byName, byType } = claimedKinds(extension, declared);
  // Text passes for CSV and CSV for text: the same bytes either way.
  const fits = (kinds: FileKind[]) =>
    kinds.includes(kind) ||
    ((kind === 'text' || kind === 'csv') && kinds.some((k) => k === 'text' || k === 'csv'));
  if (byName && byName.length === 0 && extension)
    return {
      ok: false,
      message: `The file’s name ends in .${extension.replace(/[^a-z0-9]/g, '')} but the file is ${really}. Rename it to end in .${FILE_KINDS[kind].extensions[0]} and upload it again`,
    };
  if (byName && !fits(byName))
    return {
      ok: false,
      message: `The file’s name says it is ${FILE_KINDS[byName[0]!].label} but it is really ${really}`,
    };
  if (byType && !fits(byType))
    return {
      ok: false,
      message:
        byType.length === 0
          ? `The file was sent as another type of file but it is really ${really}`
          : `The file was sent as ${FILE_KINDS[byType[0]!].label} but it is really ${really}`,
    };
  if (!byType && declared)
    return { ok: false, message: `The file was sent as another type of file but it is really ${really}` };
  if ((kind === 'png' || kind === 'jpeg') && !(await decodes(data)))
    return { ok: false, message: `The image is damaged or cut short: save it again and upload it` };
  return { ok: true, kind };
}

/** Whether an image decodes to its end: a signature alone lets a truncated or corrupt image through. */
async function decodes(data: Buffer): Promise<boolean> {
  try {
    await sharp(data, { failOn: 'truncated', limitInputPixels: 100_000_000 }).raw().toBuffer();
    return true;
  } catch {
    return false;
  }
}

const MAX_NAME = 120;

/**
 * The name a file is shown and downloaded under: the last part of the given name only (no folders),
 * without control, bidirectional-override or reserved characters, ending in the extension of what
 * the file really is.
 */
export function displayFilename(given: string, kind: FileKind): string {
  const ext = FILE_KINDS[kind].extensions[0]!;
  let name = given.normalize('NFC').split(/[/\\]/).pop() ?? '';
  name = name
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '')
    .replace(/[<>:"|?*%]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const current = extensionOf(name);
  let stem =
    current && FILE_KINDS[kind].extensions.includes(current) ? name.slice(0, -(current.length + 1)) : name;
  stem = stem.replace(/^[\s.]+|[\s.]+$/g, '');
  if (!stem) stem = 'file';
  const keepExt = current && FILE_KINDS[kind].extensions.includes(current) ? current : ext;
  if (stem.length > MAX_NAME) stem = stem.slice(0, MAX_NAME).trimEnd();
  return `${stem}.${keepExt}`;
}

/** A Content-Disposition header for a download: an ASCII fallback and the exact name (RFC 5987). */
export function attachmentDisposition(filename: string): string {
  const ascii = filename
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\;]/g, '_')
    .trim();
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii || 'download'}"; filename*=UTF-8''${encoded}`;
}
