import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

// Markdown written by people (library items, discussion posts) as safe HTML. Raw HTML in the
// source is escaped by markdown-it, and its output is sanitised again with an allow-list, so
// neither a <script> nor a javascript: link survives even if one layer is wrong. Links to other
// pages of the site (relative, or #fragments) and to the web (http, https, mailto) still work.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false });

const TAGS = [
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
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
];

/**
 * Markdown as safe HTML to sit under a page heading of level `below` (2 for an h2 section): the
 * source's headings go beneath it, in their order, so the page's outline stays whole.
 */
export function renderMarkdown(source: string, opts: { below?: 1 | 2 | 3 } = {}): string {
  const below = opts.below ?? 2;
  const shift = (level: number) => `h${Math.min(6, level + below)}`;
  return sanitizeHtml(markdown.render(source), {
    allowedTags: TAGS,
    allowedAttributes: { a: ['href', 'rel'], th: ['scope'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    allowedSchemesAppliedToAttributes: ['href'],
    allowProtocolRelative: false,
    transformTags: {
      h1: shift(1),
      h2: shift(2),
      h3: shift(3),
      h4: shift(4),
      h5: shift(5),
      h6: shift(6),
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
    },
    disallowedTagsMode: 'discard',
  });
}

/** The words of some Markdown without its markup (for search and for plain-text emails). */
export function markdownText(source: string): string {
  return sanitizeHtml(markdown.render(source), { allowedTags: [], allowedAttributes: {} })
    .replace(/\s+/g, ' ')
    .trim();
}
