import sharp from 'sharp';
import { ValidationError } from '../../platform/errors.ts';
import { renderMarkdown } from '../../platform/markdown.ts';

/**
 * A biography in Markdown as safe HTML for the profile page and the API. It sits under the page's
 * own "Biography" heading (h2), so its headings go two levels down, in the same order.
 */
export function renderBiography(source: string): string {
  return renderMarkdown(source, { below: 2 });
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
