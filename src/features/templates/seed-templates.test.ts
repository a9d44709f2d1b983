import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';

import {
  type PortfolioContent,
  type PortfolioContentInput,
  portfolioContentSchema,
  SECTION_KINDS,
} from '../portfolios/portfolio-content.ts';
import { SEED_TEMPLATES, type SeedTemplate } from './seed-templates.ts';

const SITE_URL = 'https://ada.rolerabbit.site/';
const GENERATED_AT = '2025-03-14T09:26:53.000Z';

const SAMPLE_CONTENT: PortfolioContentInput = {
  profile: {
    name: 'Ada Lovelace',
    headline: 'Analytical engine programmer',
    bio: 'First to publish an algorithm for a machine.\nWrites notes longer than the paper.',
    location: 'London, UK',
    email: 'ada@example.com',
    website: 'https://ada.example.com/',
    avatarUrl: 'https://images.example.com/ada.jpg',
  },
  links: [
    { label: 'GitHub', url: 'https://github.com/ada' },
    { label: 'Blog', url: 'https://blog.example.com/ada' },
  ],
  // One section of every kind, so a template that dispatches on `kind` is exercised for all.
  sections: SECTION_KINDS.map((kind, index) => ({
    kind,
    title: `Section ${kind} title`,
    body: index % 2 === 0 ? `Body text of the ${kind} section.` : undefined,
    items: [
      {
        title: `${kind} item one`,
        subtitle: 'Babbage & Co.',
        period: '1842 – 1843',
        description: `What happened in the ${kind} item.`,
        url: `https://example.com/${kind}/1`,
        imageUrl: `https://images.example.com/${kind}-1.png`,
        tags: [`${kind}-tag-a`, `${kind}-tag-b`],
      },
      { title: `${kind} item two` },
    ],
  })),
};

const MALICIOUS_CONTENT: PortfolioContentInput = {
  profile: {
    name: '<script>alert(1)</script>',
    headline: '"><img src=x onerror=alert(2)>',
    bio: '<script>alert(3)</script>',
  },
  links: [{ label: '<script>alert(4)</script>', url: 'https://example.com/?a=1&b="2"' }],
  sections: [
    {
      kind: 'skills',
      title: '<script>alert(5)</script>',
      items: [{ title: '<b>bold</b>', tags: ['<script>alert(6)</script>'] }],
    },
    { kind: 'projects', title: 'Projects', body: '<iframe src="https://evil.example"></iframe>' },
  ],
};

function parse(input: PortfolioContentInput): PortfolioContent {
  return portfolioContentSchema.parse(input);
}

function render(template: SeedTemplate, content: PortfolioContent): string {
  const compiled = Handlebars.compile(template.source, { strict: false });
  return compiled({
    title: `${content.profile.name} · Portfolio`,
    content,
    siteUrl: SITE_URL,
    generatedAt: GENERATED_AT,
  });
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

function relativeLuminance(hex: string): number {
  const channels = [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

describe('SEED_TEMPLATES', () => {
  it('has three templates with unique slugs, one per category', () => {
    expect(SEED_TEMPLATES.map((t) => t.slug)).toEqual([
      'minimal-mono',
      'professional-slate',
      'creative-sunrise',
    ]);
    expect(new Set(SEED_TEMPLATES.map((t) => t.slug)).size).toBe(SEED_TEMPLATES.length);
    expect(new Set(SEED_TEMPLATES.map((t) => t.category))).toEqual(
      new Set(['minimal', 'professional', 'creative']),
    );
  });

  it('has visually distinct templates (sources, styles and palettes all differ)', () => {
    expect(new Set(SEED_TEMPLATES.map((t) => t.source)).size).toBe(SEED_TEMPLATES.length);
    expect(new Set(SEED_TEMPLATES.map((t) => t.css)).size).toBe(SEED_TEMPLATES.length);
    expect(new Set(SEED_TEMPLATES.map((t) => t.palette.accent)).size).toBe(SEED_TEMPLATES.length);
  });

  describe.each(SEED_TEMPLATES.map((t) => [t.slug, t] as const))('%s', (_slug, template) => {
    it('renders the profile, links and every section with its items', () => {
      const content = parse(SAMPLE_CONTENT);
      const html = render(template, content);

      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain('<html lang="en">');
      expect(html).toContain('<title>Ada Lovelace · Portfolio</title>');
      expect(html).toContain('<meta name="description" content="Analytical engine programmer">');
      expect(html).toContain(`<link rel="canonical" href="${SITE_URL}">`);
      expect(html).toContain('<link rel="stylesheet" href="styles.css">');
      expect(html).toContain('Ada Lovelace');
      expect(html).toContain('First to publish an algorithm');
      expect(html).toContain('London, UK');
      expect(html).toContain('href="mailto:ada@example.com"');
      expect(html).toContain('href="https://ada.example.com/"');
      expect(html).toContain(
        'src="https://images.example.com/ada.jpg" alt="Portrait of Ada Lovelace"',
      );
      expect(html).toContain(`datetime="${GENERATED_AT}"`);
      for (const link of content.links) {
        expect(html).toContain(`<a href="${link.url}" rel="noopener noreferrer">${link.label}</a>`);
      }
      for (const section of content.sections) {
        expect(html).toContain(section.title);
        if (section.body !== undefined) {
          expect(html).toContain(section.body);
        }
        for (const item of section.items) {
          expect(html).toContain(item.title);
          if (item.url !== undefined) {
            expect(html).toContain(`href="${item.url}"`);
          }
          if (item.imageUrl !== undefined) {
            expect(html).toContain(`src="${item.imageUrl}"`);
          }
          for (const tag of item.tags ?? []) {
            expect(html).toContain(tag);
          }
        }
      }
      expect(html).toContain('Babbage &amp; Co.');
      expect(html).toContain('1842 – 1843');
      for (const tag of ['header', 'main', 'section', 'footer']) {
        expect(html).toContain(`<${tag}`);
      }
      expect(countMatches(html, /<section\b/g)).toBe(content.sections.length);
    });

    it('produces balanced markup', () => {
      const html = render(template, parse(SAMPLE_CONTENT));
      for (const tag of [
        'header',
        'main',
        'footer',
        'section',
        'article',
        'nav',
        'div',
        'ul',
        'ol',
        'li',
        'p',
        'a',
        'h1',
        'h2',
        'h3',
      ]) {
        const opened = countMatches(html, new RegExp(`<${tag}[\\s>]`, 'g'));
        const closed = countMatches(html, new RegExp(`</${tag}>`, 'g'));
        expect({ tag, opened }).toEqual({ tag, opened: closed });
      }
      expect(countMatches(html, /<h1[\s>]/g)).toBe(1);
    });

    it('renders a profile-only document without empty or undefined attributes', () => {
      const html = render(template, parse({ profile: { name: 'Grace Hopper' } }));
      expect(html).toContain('Grace Hopper');
      expect(html).toContain('<meta name="description" content="Grace Hopper">');
      expect(html).not.toContain('undefined');
      expect(html).not.toMatch(/(?:href|src|alt)=""/);
      expect(html).not.toContain('<img');
      expect(html).not.toContain('<section');
    });

    it('escapes user content', () => {
      const html = render(template, parse(MALICIOUS_CONTENT));
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('&lt;script&gt;alert(5)&lt;/script&gt;');
      expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<iframe/i);
      expect(html).not.toContain('<b>');
      expect(html).not.toContain('"><img');
      expect(html).not.toContain('onerror=');
      expect(html).toContain('href="https://example.com/?a&#x3D;1&amp;b&#x3D;&quot;2&quot;"');
    });

    it('uses only escaping expressions and loads nothing active or remote', () => {
      const { source, css } = template;
      expect(source).not.toContain('{{{');
      expect(source).not.toContain('{{&');
      expect(source).not.toMatch(/<script/i);
      expect(source).not.toMatch(/\son[a-z]+\s*=/i);
      expect(source).not.toMatch(/javascript:/i);
      expect(source).not.toMatch(/https?:\/\//);
      expect(css).not.toMatch(/@import|url\(|https?:\/\/|expression\(|<\/style/i);
      expect(css).toMatch(/@media\s*\(/);
      expect(source).toMatch(
        /<meta name="viewport" content="width=device-width, initial-scale=1">/,
      );
      // Every link to a user-supplied URL opts out of opener and referrer.
      const anchors = source.match(/<a\s[^>]*>/g) ?? [];
      expect(anchors.length).toBeGreaterThan(0);
      for (const anchor of anchors) {
        if (/href="(?:mailto:|#)/.test(anchor)) {
          continue;
        }
        expect(anchor).toContain('rel="noopener noreferrer"');
      }
      // Every image has alt text.
      for (const img of source.match(/<img\s[^>]*>/g) ?? []) {
        expect(img).toMatch(/\salt="[^"]+"/);
      }
    });

    it('has a hex palette with readable contrast', () => {
      const { palette } = template;
      for (const colour of Object.values(palette)) {
        expect(colour).toMatch(/^#[0-9a-f]{6}$/i);
      }
      expect(contrastRatio(palette.text, palette.background)).toBeGreaterThanOrEqual(7);
      expect(contrastRatio(palette.muted, palette.background)).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(palette.accent, palette.background)).toBeGreaterThanOrEqual(4.5);
      expect(template.css).toContain(palette.background);
      expect(template.css).toContain(palette.accent);
    });

    it('has a 320x200 SVG data URL thumbnail in its own colours', () => {
      const { thumbnailUrl, palette } = template;
      expect(thumbnailUrl.startsWith('data:image/svg+xml,')).toBe(true);
      const payload = thumbnailUrl.slice('data:image/svg+xml,'.length);
      expect(payload).not.toMatch(/[\s#<>"]/);
      const svg = decodeURIComponent(payload);
      expect(svg).toMatch(
        /^<svg xmlns='http:\/\/www\.w3\.org\/2000\/svg' width='320' height='200'/,
      );
      expect(svg.endsWith('</svg>')).toBe(true);
      expect(svg).toContain(palette.background);
      expect(svg).toContain(palette.accent);
    });
  });
});
