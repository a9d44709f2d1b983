import Handlebars from 'handlebars';

import { InvalidInputError } from '../../errors/app-error.ts';
import type { PortfolioContent } from '../portfolios/portfolio-content.ts';

/** What a site template is rendered with; the seed templates are written against exactly this. */
export interface SiteTemplateContext {
  readonly title: string;
  readonly content: PortfolioContent;
  readonly siteUrl: string;
  /** ISO 8601 timestamp of the build. */
  readonly generatedAt: string;
}

export interface SiteTemplateSource {
  readonly slug: string;
  /** Handlebars 4 source of a complete `index.html`. */
  readonly source: string;
}

// The Handlebars lexer opens an unescaped expression with `{{{` or `{{&`, optionally with a `~`
// whitespace-control mark after the braces. Templates live in the database, so one slipping in
// would let any user's text become markup; refusing the source is simpler than auditing it.
const UNESCAPED_OPEN = /\{\{~?[{&]/;

const COMPILE_OPTIONS = {
  strict: false,
  knownHelpersOnly: true,
  noEscape: false,
  // `log` writes to the console from inside a render: no use for a static site.
  knownHelpers: { log: false },
} as const;

/** Throws InvalidInputError when the source could output anything without HTML escaping. */
export function assertEscapingTemplate(template: SiteTemplateSource): void {
  if (UNESCAPED_OPEN.test(template.source)) {
    throw new InvalidInputError(
      'request.invalid',
      `Template "${template.slug}" uses unescaped output ({{{ }}} or {{& }}), which is not allowed`,
      { fieldIssues: [{ path: 'template.source', message: 'unescaped output is not allowed' }] },
    );
  }
}

/**
 * Renders `index.html`. Each call gets its own Handlebars environment, so nothing registered
 * elsewhere in the process (helpers, partials) can change what a site looks like or escapes.
 */
export function renderSiteTemplate(
  template: SiteTemplateSource,
  context: SiteTemplateContext,
): string {
  assertEscapingTemplate(template);
  const handlebars = Handlebars.create();
  try {
    // Handlebars compiles lazily, so parse errors surface on the first call, inside this try.
    const render = handlebars.compile<SiteTemplateContext>(template.source, COMPILE_OPTIONS);
    return render(context);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new InvalidInputError(
      'request.invalid',
      `Template "${template.slug}" could not be rendered: ${reason}`,
      { cause: error, fieldIssues: [{ path: 'template.source', message: reason }] },
    );
  }
}

// A whole start tag, stepping over quoted attribute values that may contain `>`.
const LINK_TAG = /<link\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
// The `href` of the plain stylesheet name, quoted or not, optionally as `./styles.css` or
// `/styles.css` (the site is served from the root of its host). Attribute names are
// case-insensitive in HTML; paths are not.
const STYLESHEET_HREF =
  /(\s[Hh][Rr][Ee][Ff]\s*=\s*)(?:"(?:\.\/|\/)?styles\.css"|'(?:\.\/|\/)?styles\.css'|(?:\.\/|\/)?styles\.css(?=[\s/>]))/g;

/**
 * Points every `<link href="styles.css">` of the rendered page at the content-hashed file name.
 * Only `<link>` start tags are touched, so text and other attributes that merely mention the
 * name stay as they are.
 */
export function linkHashedStylesheet(html: string, hashedFileName: string): string {
  return html.replace(LINK_TAG, (tag) =>
    tag.replace(STYLESHEET_HREF, (_match, prefix: string) => `${prefix}"${hashedFileName}"`),
  );
}
