import { describe, expect, it } from 'vitest';
import { renderBiography } from './members.render.ts';

describe('biography Markdown', () => {
  it('puts its headings below the page’s own Biography heading, in the same order', () => {
    const html = renderBiography('# Career\n\n## Now\n\n### Detail\n\n#### Fine\n\n###### Finest\n\nText');
    expect(html).toBe(
      '<h3>Career</h3>\n<h4>Now</h4>\n<h5>Detail</h5>\n<h6>Fine</h6>\n<h6>Finest</h6>\n<p>Text</p>\n',
    );
    expect(html).not.toMatch(/<h[12]/);
  });

  it('drops scripts and unsafe links', () => {
    const html = renderBiography('<script>alert(1)</script> [x](javascript:alert(1)) [ok](https://nhs.uk)');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<a href="https://nhs.uk" rel="nofollow noopener">ok</a>');
  });
});
