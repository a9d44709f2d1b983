import { validate as validateXml } from 'fast-xml-parser';
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';

import {
  createNotFoundHtml,
  createRobotsTxt,
  createSitemapXml,
  escapeXml,
} from './site-documents.ts';

const SITE_URL = new URL('https://jane.rolerabbit.com/');

describe(escapeXml.name, () => {
  it('uses only the five predefined XML entities', () => {
    expect(escapeXml(`<a b="c" d='e'>&</a>`)).toBe(
      '&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe(createSitemapXml.name, () => {
  it('is well-formed XML even when the URL carries XML metacharacters', () => {
    const url = new URL("https://jane.rolerabbit.com/o'brien/?a=1&b=2");
    const xml = createSitemapXml(url, new Date('2024-12-31T23:59:59.999Z'));
    expect(validateXml(xml)).toBe(true);
    expect(xml).toContain('<loc>https://jane.rolerabbit.com/o&apos;brien/?a=1&amp;b=2</loc>');
    expect(xml).toContain('<lastmod>2024-12-31</lastmod>');
    // Proves the validator is strict about the very thing escaping prevents.
    expect(validateXml(xml.replace('&amp;', '&'))).not.toBe(true);
  });
});

describe(createRobotsTxt.name, () => {
  it('allows all crawlers and names the absolute sitemap URL', () => {
    expect(createRobotsTxt(SITE_URL)).toBe(
      'User-agent: *\nAllow: /\n\nSitemap: https://jane.rolerabbit.com/sitemap.xml\n',
    );
  });

  it('resolves the sitemap against the site URL without its query', () => {
    const robots = createRobotsTxt(new URL('http://jane.localhost:3000/?x=1'));
    expect(robots).toContain('Sitemap: http://jane.localhost:3000/sitemap.xml\n');
  });
});

describe(createNotFoundHtml.name, () => {
  it('is a self-contained page with the title escaped and a link home', () => {
    const html = createNotFoundHtml('<script>alert(1)</script>"><img onerror=x>', SITE_URL);
    const tags: string[] = [];
    const attributes: Record<string, string>[] = [];
    const parser = new Parser({
      onopentag(name, attribs) {
        tags.push(name);
        attributes.push(attribs);
      },
    });
    parser.write(html);
    parser.end();

    expect(tags).not.toContain('script');
    expect(tags).not.toContain('img');
    expect(tags).not.toContain('link');
    expect(tags).toContain('style');
    expect(attributes).toContainEqual({ href: 'https://jane.rolerabbit.com/' });
    expect(attributes).toContainEqual({ name: 'robots', content: 'noindex' });
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img onerror&#x3D;x&gt;',
    );
    expect(html).not.toContain('onerror=');
  });
});
