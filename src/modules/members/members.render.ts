import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import sharp from 'sharp';
import { ValidationError } from '../../platform/errors.ts';

// Raw HTML in the Markdown is escaped, and the output is sanitised again with an allow-list, so
// neither a <script> nor a javascript: link survives even if one layer is wrong.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false });

const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'ul',
    'ol',
    'li',
    'a',
    'blockquote',
    'code',
    'pre',
    'h3',
    'h4',
    'h5',
    'h6',
  ],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['https', 'http', 'mailto'],
  allowProtocolRelative: false,
  // The biography sits under the profile page's own "Biography" heading (h2): its headings go below
  // it, two levels down and in the same order, so the page's outline stays whole.
  transformTags: {
    h1: 'h3',
    h2: 'h4',
    h3: 'h5',
    h4: 'h6',
    h5: 'h6',
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
  },
  disallowedTagsMode: 'discard',
};

/** A biography in Markdown as safe HTML for the profile page and the API. */
export function renderBiography(source: string): string {
  return sanitizeHtml(markdown.render(source), ALLOWED);
}

export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;
const PHOTO_SIZE = 400;

/**
 * Checks an upload is really a JPEG or PNG (by decoding it, not by its name or declared type) and
 * re-encodes it as a square JPEG without metadata (no location or camera details survive).
 */
export async function processPhoto(input: Buffer): Promise<{ data: Buffer; contentType: 'image/jpeg' }> {
  if (input.length === 0) throw new ValidationError([{ field: 'photo', message: 'Select a photo' }]);
  if (input.length > PHOTO_MAX_BYTES)
    throw new ValidationError([{ field: 'photo', message: 'The photo must be smaller than 2 MB' }]);
  let format: string | undefined;
  try {
    format = (await sharp(input, { limitInputPixels: 40_000_000 }).metadata()).format;
  } catch {
    format = undefined;
  }
  if (format !== 'jpeg' && format !== 'png') {
    throw new ValidationError([{ field: 'photo', message: 'The photo must be a JPEG or PNG image' }]);
  }
  try {
    const data = await sharp(input, { limitInputPixels: 40_000_000 })
      .rotate()
      .resize(PHOTO_SIZE, PHOTO_SIZE, { fit: 'cover', position: 'attention' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer();
    return { data, contentType: 'image/jpeg' };
  } catch {
    throw new ValidationError([
      { field: 'photo', message: 'The photo could not be read. It may be damaged: try another JPEG or PNG' },
    ]);
  }
}
