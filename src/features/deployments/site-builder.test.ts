import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import { validate as validateXml } from 'fast-xml-parser';
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../errors/app-error.ts';
import {
  type PortfolioContentInput,
  portfolioContentSchema,
} from '../portfolios/portfolio-content.ts';
import { SEED_TEMPLATES } from '../templates/seed-templates.ts';
import {
  buildSite,
  type BuildSiteInput,
  type BuiltSite,
  IMMUTABLE_CACHE_CONTROL,
  MAX_SITE_BYTES,
  REVALIDATE_CACHE_CONTROL,
  type SiteFile,
} from './site-builder.ts';

const SITE_URL = 'https://jane.rolerabbit.com/';
const GENERATED_AT = new Date('2025-03-14T09:26:53.000Z');
const FIRST_TEMPLATE = SEED_TEMPLATES[0]!;

const SAMPLE_CONTENT: PortfolioContentInput = {
  profile: { name: 'Jane Doe', headline: 'Engineer', avatarUrl: 'https://img.example.com/j.png' },
  links: [{ label: 'GitHub', url: 'https://github.com/jane' }],
  sections: [
    { kind: 'projects', title: 'Projects', items: [{ title: 'Site', description: 'A site.' }] },
    { kind: 'skills', title: 'Skills', items: [{ title: 'TypeScript' }] },
  ],
};

const SCRIPT = '<script>alert(1)</script>';
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const HOSTILE = `${SCRIPT} ${BREAKOUT}`;
const MALICIOUS_CONTENT: PortfolioContentInput = {
  profile: { name: HOSTILE, headline: HOSTILE, bio: HOSTILE, location: HOSTILE },
  links: [{ label: HOSTILE, url: 'https://example.com/?q=%22%3E' }],
  sections: (['about', 'experience', 'projects', 'skills', 'education', 'custom'] as const).map(
    (kind) => ({
      kind,
      title: HOSTILE,
      body: HOSTILE,
      items: [
        {
          title: HOSTILE,
          subtitle: HOSTILE,
          period: HOSTILE,
          description: HOSTILE,
          url: 'https://example.com/a',
          imageUrl: 'https://example.com/a.png',
          tags: [HOSTILE.slice(0, 40)],
        },
      ],
    }),
  ),
};

function input(overrides: Partial<BuildSiteInput> = {}, content = SAMPLE_CONTENT): BuildSiteInput {
  return {
    portfolio: {
      id: 'a5f1a7b2-0000-4000-8000-000000000001',
      title: 'Jane Doe · Portfolio',
      slug: 'jane-doe',
      content: portfolioContentSchema.parse(content),
    },
    template: FIRST_TEMPLATE,
    siteUrl: SITE_URL,
    generatedAt: GENERATED_AT,
    ...overrides,
  };
}

function fileAt(site: BuiltSite, path: string): SiteFile {
  const file = site.files.find((candidate) => candidate.path === path);
  if (file === undefined) {
    throw new Error(`no ${path} in ${site.files.map((f) => f.path).join(', ')}`);
  }
  return file;
}

function textOf(site: BuiltSite, path: string): string {
  return fileAt(site, path).body.toString('utf8');
}

function cssFileOf(site: BuiltSite): SiteFile {
  const css = site.files.find((file) => file.path.endsWith('.css'));
  if (css === undefined) {
    throw new Error('no stylesheet');
  }
  return css;
}

/** Every element and attribute name as a real HTML parser sees them. */
function parseMarkup(html: string): { tags: string[]; attributes: string[]; hrefs: string[] } {
  const tags: string[] = [];
  const attributes: string[] = [];
  const hrefs: string[] = [];
  const parser = new Parser({
    onopentag(name, attribs) {
      tags.push(name);
      attributes.push(...Object.keys(attribs));
      if (attribs.href !== undefined) {
        hrefs.push(attribs.href);
      }
    },
  });
  parser.write(html);
  parser.end();
  return { tags, attributes, hrefs };
}

async function expectInvalid(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  const invalid = error as InvalidInputError;
  expect(invalid.code).toBe('request.invalid');
  expect(invalid.message).toMatch(message);
}

describe(buildSite.name, () => {
  describe.each(SEED_TEMPLATES.map((t) => [t.slug, t] as const))('with %s', (_slug, template) => {
    it('writes the page, hashed stylesheet, robots, sitemap and 404 with their headers', async () => {
      const site = await buildSite(input({ template }));
      const cssHash = createHash('sha256').update(template.css).digest('hex');
      const cssPath = `styles.${cssHash.slice(0, 12)}.css`;

      expect(site.files.map((file) => [file.path, file.contentType, file.cacheControl])).toEqual([
        ['index.html', 'text/html; charset=utf-8', REVALIDATE_CACHE_CONTROL],
        [cssPath, 'text/css; charset=utf-8', IMMUTABLE_CACHE_CONTROL],
        ['robots.txt', 'text/plain; charset=utf-8', REVALIDATE_CACHE_CONTROL],
        ['sitemap.xml', 'application/xml; charset=utf-8', REVALIDATE_CACHE_CONTROL],
        ['404.html', 'text/html; charset=utf-8', REVALIDATE_CACHE_CONTROL],
      ]);
      expect(textOf(site, cssPath)).toBe(template.css);

      const html = textOf(site, 'index.html');
      expect(html).toContain('<title>Jane Doe · Portfolio</title>');
      expect(html).toContain(`<link rel="canonical" href="${SITE_URL}">`);
      expect(html).toContain(`<link rel="stylesheet" href="${cssPath}">`);
      expect(html).not.toContain('href="styles.css"');
      expect(html).toContain('src="https://img.example.com/j.png"');
      expect(html).toContain(`datetime="${GENERATED_AT.toISOString()}"`);

      for (const file of site.files) {
        expect(file.sha256).toBe(createHash('sha256').update(file.body).digest('hex'));
      }
      expect(site.totalBytes).toBe(site.files.reduce((sum, file) => sum + file.body.length, 0));
      expect(site.contentHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('outputs hostile user content only as escaped text', async () => {
      const hostile = input({ template }, MALICIOUS_CONTENT);
      const site = await buildSite({
        ...hostile,
        portfolio: { ...hostile.portfolio, title: HOSTILE },
      });
      for (const path of ['index.html', '404.html']) {
        const html = textOf(site, path);
        const { tags, attributes } = parseMarkup(html);
        expect(tags).not.toContain('script');
        expect(attributes.filter((name) => name.startsWith('on'))).toEqual([]);
        expect(attributes).not.toContain('onerror');
        expect(html).not.toMatch(/<script/i);
        expect(html).not.toContain('onerror=');
        expect(html).not.toContain('"><img');
        expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      }
      const html = textOf(site, 'index.html');
      // The template's own images (no avatar, one per item) and none smuggled in through text.
      expect(parseMarkup(html).tags.filter((tag) => tag === 'img')).toHaveLength(6);
      const escapedBreakout = '&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;';
      // Name, headline, section titles, item descriptions and link labels all went through.
      expect(html.split(escapedBreakout).length - 1).toBeGreaterThanOrEqual(1 + 1 + 6 + 6 + 1);
    });
  });

  it('cannot be given a javascript: URL, because the content schema refuses every one', async () => {
    const hostileUrls = [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
    ];
    for (const url of hostileUrls) {
      const placements: PortfolioContentInput[] = [
        { profile: { name: 'J', website: url } },
        { profile: { name: 'J', avatarUrl: url } },
        { profile: { name: 'J' }, links: [{ label: 'x', url }] },
        {
          profile: { name: 'J' },
          sections: [{ kind: 'custom', title: 'S', items: [{ title: 'i', url }] }],
        },
        {
          profile: { name: 'J' },
          sections: [{ kind: 'custom', title: 'S', items: [{ title: 'i', imageUrl: url }] }],
        },
      ];
      for (const content of placements) {
        expect(portfolioContentSchema.safeParse(content).success).toBe(false);
      }
    }
    const site = await buildSite(input({}, MALICIOUS_CONTENT));
    for (const file of site.files) {
      expect(file.body.toString('utf8')).not.toMatch(/javascript:/i);
    }
    for (const href of parseMarkup(textOf(site, 'index.html')).hrefs) {
      expect(href).toMatch(/^(?:https:\/\/|mailto:|#|styles\.[0-9a-f]{12}\.css$)/);
    }
  });

  it.each([
    ['{{{content.profile.name}}}'],
    ['{{& content.profile.name}}'],
    ['{{~{content.profile.name}~}}'],
  ])('refuses a template with unescaped output %s', async (expression) => {
    const template = { ...FIRST_TEMPLATE, source: `<h1>${expression}</h1>` };
    await expectInvalid(buildSite(input({ template })), /unescaped output/);
  });

  it('refuses a template that does not compile or calls an unknown helper', async () => {
    const broken = { ...FIRST_TEMPLATE, source: '{{#if title}}<p>never closed' };
    await expectInvalid(buildSite(input({ template: broken })), /could not be rendered/);
    const unknownHelper = { ...FIRST_TEMPLATE, source: '{{uppercase title}}' };
    await expectInvalid(buildSite(input({ template: unknownHelper })), /unknown helper uppercase/);
  });

  it('decompresses both precompressed variants of every file to the original body', async () => {
    const site = await buildSite(input());
    for (const file of site.files) {
      expect(gunzipSync(file.gzip).equals(file.body)).toBe(true);
      expect(brotliDecompressSync(file.brotli).equals(file.body)).toBe(true);
    }
    const html = fileAt(site, 'index.html');
    expect(html.brotli.length).toBeLessThan(html.body.length);
    expect(html.gzip.length).toBeLessThan(html.body.length);
  });

  it('gives the same content hash to the same input and a new one when anything changes', async () => {
    const first = await buildSite(input());
    const second = await buildSite(input());
    expect(second.contentHash).toBe(first.contentHash);
    expect(second.files.map((f) => f.sha256)).toEqual(first.files.map((f) => f.sha256));

    const edited = await buildSite(
      input({}, { ...SAMPLE_CONTENT, profile: { ...SAMPLE_CONTENT.profile, headline: 'Lead' } }),
    );
    const restyled = await buildSite(
      input({ template: { ...FIRST_TEMPLATE, css: `${FIRST_TEMPLATE.css}\nh1 { color: red; }` } }),
    );
    const moved = await buildSite(input({ siteUrl: 'https://jane.example.org/' }));
    const hashes = new Set([first, edited, restyled, moved].map((site) => site.contentHash));
    expect(hashes.size).toBe(4);
    expect(cssFileOf(restyled).path).not.toBe(cssFileOf(first).path);
  });

  it('writes a well-formed sitemap with the escaped site URL and the build day', async () => {
    const siteUrl = 'https://jane.rolerabbit.com/?ref=a&lang=en';
    const site = await buildSite(input({ siteUrl }));
    const xml = textOf(site, 'sitemap.xml');
    expect(validateXml(xml)).toBe(true);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    expect(xml).toContain('<loc>https://jane.rolerabbit.com/?ref=a&amp;lang=en</loc>');
    expect(xml).toContain('<lastmod>2025-03-14</lastmod>');
  });

  it('writes a robots.txt that allows everything and points at the sitemap', async () => {
    const robots = textOf(await buildSite(input()), 'robots.txt');
    expect(robots.split('\n')).toEqual([
      'User-agent: *',
      'Allow: /',
      '',
      `Sitemap: ${SITE_URL}sitemap.xml`,
      '',
    ]);
  });

  it('refuses a site over the size budget before compressing anything', async () => {
    const css = 'a'.repeat(MAX_SITE_BYTES);
    const started = performance.now();
    await expectInvalid(
      buildSite(input({ template: { ...FIRST_TEMPLATE, css } })),
      new RegExp(`limit is ${String(MAX_SITE_BYTES)}`),
    );
    // Brotli at quality 9+ over 5 MB would take far longer than this.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it.each(['not a url', 'ftp://jane.rolerabbit.com/', 'javascript:alert(1)', '/relative/'])(
    'refuses the site URL %j',
    async (siteUrl) => {
      await expectInvalid(buildSite(input({ siteUrl })), /site URL/);
    },
  );

  it('refuses an invalid build date', async () => {
    await expectInvalid(buildSite(input({ generatedAt: new Date(Number.NaN) })), /build time/);
  });
});
