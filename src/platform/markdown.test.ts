import { describe, expect, it } from 'vitest';
import { markdownText, renderMarkdown } from './markdown.ts';

describe('Markdown written by people', () => {
  it('keeps the formatting and links that a page may carry', () => {
    const html = renderMarkdown(
      '# Aim\n\nSee [the guide](/knowledge/items/3), [below](#results) and <https://www.nhs.uk>.',
    );
    expect(html).toContain('<h3>Aim</h3>');
    expect(html).toContain('href="/knowledge/items/3"');
    expect(html).toContain('href="#results"');
    expect(html).toContain('href="https://www.nhs.uk"');
    expect(html).toContain('rel="nofollow noopener"');
  });

  it('leaves hostile Markdown inert', () => {
    const html = renderMarkdown(
      '[click](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)> [x](data:text/html,hi) [y](JaVaScRiPt:alert(4))',
    );
    expect(html).not.toMatch(/<script|<img|<[^>]+onerror/i);
    // Every link that is left goes to the site or the web, never runs code.
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^(\/|#|https?:|mailto:)/);
  });

  it('gives the plain words for search and emails', () => {
    expect(markdownText('**Frail** people at the *front door*\n\n- one\n- two')).toBe(
      'Frail people at the front door one two',
    );
  });
});
