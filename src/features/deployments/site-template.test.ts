import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../errors/app-error.ts';
import { portfolioContentSchema } from '../portfolios/portfolio-content.ts';
import {
  assertEscapingTemplate,
  linkHashedStylesheet,
  renderSiteTemplate,
  type SiteTemplateContext,
} from './site-template.ts';

const HASHED = 'styles.0123456789ab.css';

const CONTEXT: SiteTemplateContext = {
  title: 'Jane <Doe>',
  content: portfolioContentSchema.parse({ profile: { name: 'Jane & "Co"' } }),
  siteUrl: 'https://jane.rolerabbit.com/',
  generatedAt: '2025-03-14T09:26:53.000Z',
};

function renderSource(source: string): string {
  return renderSiteTemplate({ slug: 'test', source }, CONTEXT);
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected a throw');
}

describe(renderSiteTemplate.name, () => {
  it('renders the context with every value HTML-escaped', () => {
    expect(
      renderSource('<title>{{title}}</title><h1 title="{{content.profile.name}}">{{siteUrl}}</h1>'),
    ).toBe(
      '<title>Jane &lt;Doe&gt;</title><h1 title="Jane &amp; &quot;Co&quot;">https://jane.rolerabbit.com/</h1>',
    );
  });

  it('supports the built-in block helpers, lookup and inline partials the seed templates use', () => {
    const source =
      '{{#*inline "x"}}[{{this}}]{{/inline}}{{#if title}}{{#each (lookup content "links")}}{{/each}}{{> x generatedAt}}{{/if}}';
    expect(renderSource(source)).toBe('[2025-03-14T09:26:53.000Z]');
  });

  it('ignores helpers and partials registered on the global Handlebars instance', () => {
    Handlebars.registerPartial('leak', '<script>alert(1)</script>');
    Handlebars.registerHelper('leakHelper', () => new Handlebars.SafeString('<script>'));
    try {
      expect(thrownBy(() => renderSource('{{> leak}}'))).toBeInstanceOf(InvalidInputError);
      expect(thrownBy(() => renderSource('{{leakHelper title}}'))).toBeInstanceOf(
        InvalidInputError,
      );
    } finally {
      Handlebars.unregisterPartial('leak');
      Handlebars.unregisterHelper('leakHelper');
    }
  });

  it('refuses the log helper, so a template cannot write to the process console', () => {
    const error = thrownBy(() => renderSource('{{log title}}'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: 'request.invalid' });
  });

  it('reports syntax errors as invalid input naming the template', () => {
    const error = thrownBy(() => renderSource('{{#each content.links}}'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe('request.invalid');
    expect((error as InvalidInputError).message).toContain('Template "test" could not be rendered');
  });
});

describe(assertEscapingTemplate.name, () => {
  it.each([
    '{{{title}}}',
    '{{& title}}',
    '{{&title}}',
    '{{~{title}~}}',
    '{{~& title}}',
    '{{{{raw}}}}{{title}}{{{{/raw}}}}',
    '{{!-- even in a comment: {{{title}}} --}}',
  ])('refuses %j', (source) => {
    const error = thrownBy(() => {
      assertEscapingTemplate({ slug: 'bad', source });
    });
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({
      code: 'request.invalid',
      fieldIssues: [{ path: 'template.source', message: 'unescaped output is not allowed' }],
    });
  });

  it.each([
    '{{title}}',
    '{{~title~}}',
    '{ {{title}} }',
    '{{#if title}}{{title}}{{/if}}',
    '&{{title}}',
  ])('accepts %j', (source) => {
    expect(() => {
      assertEscapingTemplate({ slug: 'ok', source });
    }).not.toThrow();
  });
});

describe(linkHashedStylesheet.name, () => {
  it.each([
    ['<link rel="stylesheet" href="styles.css">', `<link rel="stylesheet" href="${HASHED}">`],
    ["<link rel='stylesheet' href='styles.css'>", `<link rel='stylesheet' href="${HASHED}">`],
    ['<link rel=stylesheet href=styles.css>', `<link rel=stylesheet href="${HASHED}">`],
    ['<link href=styles.css rel=stylesheet/>', `<link href="${HASHED}" rel=stylesheet/>`],
    ['<link rel="stylesheet" href="./styles.css">', `<link rel="stylesheet" href="${HASHED}">`],
    ['<link rel="stylesheet" href="/styles.css">', `<link rel="stylesheet" href="${HASHED}">`],
    ['<LINK REL="stylesheet" HREF = "styles.css">', `<LINK REL="stylesheet" HREF = "${HASHED}">`],
    [
      '<link\n  rel="stylesheet"\n  title="a > b"\n  href="styles.css"\n>',
      `<link\n  rel="stylesheet"\n  title="a > b"\n  href="${HASHED}"\n>`,
    ],
    [
      '<link rel="preload" as="style" href="styles.css">',
      `<link rel="preload" as="style" href="${HASHED}">`,
    ],
  ])('rewrites %j', (html, expected) => {
    expect(linkHashedStylesheet(html, HASHED)).toBe(expected);
  });

  it.each([
    '<a href="styles.css">styles.css</a>',
    '<p>href="styles.css"</p>',
    '<link rel="stylesheet" href="styles.css.map">',
    '<link rel="stylesheet" href="old-styles.css">',
    '<link rel="stylesheet" href="https://cdn.example.com/styles.css">',
    '<link rel="stylesheet" href="Styles.css">',
    '<link rel="stylesheet" data-href="styles.css">',
  ])('leaves %j alone', (html) => {
    expect(linkHashedStylesheet(html, HASHED)).toBe(html);
  });

  it('rewrites every stylesheet link of a whole page and nothing else', () => {
    const page = [
      '<head><link rel="canonical" href="https://x.example/"><link rel="stylesheet" href="styles.css"></head>',
      '<body><p>See styles.css</p><link rel="stylesheet" href=\'styles.css\'></body>',
    ].join('\n');
    const rewritten = linkHashedStylesheet(page, HASHED);
    expect(rewritten.split(`href="${HASHED}"`)).toHaveLength(3);
    expect(rewritten).toContain('<link rel="canonical" href="https://x.example/">');
    expect(rewritten).toContain('<p>See styles.css</p>');
  });
});
