import { createHash } from 'node:crypto';

import { InvalidInputError } from '../../errors/app-error.ts';
import type { PortfolioContent } from '../portfolios/portfolio-content.ts';
import { compressSiteBody } from './site-compression.ts';
import { createNotFoundHtml, createRobotsTxt, createSitemapXml } from './site-documents.ts';
import { linkHashedStylesheet, renderSiteTemplate } from './site-template.ts';

/** Largest site we build, summed over the uncompressed files. */
export const MAX_SITE_BYTES = 5 * 1024 * 1024;

/** Pages and metadata may change with the next deployment: caches must revalidate soon. */
export const REVALIDATE_CACHE_CONTROL = 'public, max-age=300, must-revalidate';
/** Content-hashed files never change under their name. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export interface BuildSiteInput {
  readonly portfolio: {
    readonly id: string;
    readonly title: string;
    readonly slug: string;
    /** Already validated against `portfolioContentSchema`. */
    readonly content: PortfolioContent;
  };
  readonly template: {
    readonly slug: string;
    /** Handlebars 4 source of `index.html`; only escaping expressions are accepted. */
    readonly source: string;
    readonly css: string;
  };
  /** Absolute http(s) URL the site is served at, e.g. `https://jane.rolerabbit.com/`. */
  readonly siteUrl: string;
  readonly generatedAt: Date;
}

export interface SiteFile {
  /** Relative to the site root: `index.html`, `styles.<hash>.css`, `robots.txt`, … */
  readonly path: string;
  /** Full Content-Type, with charset. */
  readonly contentType: string;
  readonly body: Buffer;
  /** Hex SHA-256 of `body`; usable as a strong ETag. */
  readonly sha256: string;
  readonly gzip: Buffer;
  readonly brotli: Buffer;
  readonly cacheControl: string;
}

export interface BuiltSite {
  readonly files: readonly SiteFile[];
  /** Hex SHA-256 over every file's path and hash: equal sites have equal hashes. */
  readonly contentHash: string;
  /** Sum of the uncompressed bodies. */
  readonly totalBytes: number;
}

interface SiteDocument {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly sha256: string;
  readonly cacheControl: string;
}

const HTML = 'text/html; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const XML = 'application/xml; charset=utf-8';

/**
 * Builds the static site of one portfolio: renders the template, adds the fixed documents,
 * and precompresses everything. Pure apart from CPU work: same input, same bytes.
 * Throws InvalidInputError (never worth retrying) for a bad URL, date or template, or a site
 * over the size budget.
 */
export async function buildSite(input: BuildSiteInput): Promise<BuiltSite> {
  const siteUrl = parseSiteUrl(input.siteUrl);
  const generatedAt = assertValidDate(input.generatedAt);

  // The stylesheet is hashed first because the page must reference it by its hashed name.
  const stylesheet = createDocument('styles.css', CSS, input.template.css, IMMUTABLE_CACHE_CONTROL);
  const stylesheetPath = `styles.${stylesheet.sha256.slice(0, 12)}.css`;

  const renderedHtml = renderSiteTemplate(input.template, {
    title: input.portfolio.title,
    content: input.portfolio.content,
    siteUrl: siteUrl.href,
    generatedAt: generatedAt.toISOString(),
  });

  const documents: readonly SiteDocument[] = [
    createDocument(
      'index.html',
      HTML,
      linkHashedStylesheet(renderedHtml, stylesheetPath),
      REVALIDATE_CACHE_CONTROL,
    ),
    { ...stylesheet, path: stylesheetPath },
    createDocument('robots.txt', TEXT, createRobotsTxt(siteUrl), REVALIDATE_CACHE_CONTROL),
    createDocument(
      'sitemap.xml',
      XML,
      createSitemapXml(siteUrl, generatedAt),
      REVALIDATE_CACHE_CONTROL,
    ),
    createDocument(
      '404.html',
      HTML,
      createNotFoundHtml(input.portfolio.title, siteUrl),
      REVALIDATE_CACHE_CONTROL,
    ),
  ];

  // Checked before compressing so an oversized site fails fast instead of burning CPU first.
  const totalBytes = documents.reduce((sum, document) => sum + document.body.length, 0);
  if (totalBytes > MAX_SITE_BYTES) {
    throw new InvalidInputError(
      'request.invalid',
      `The built site is ${String(totalBytes)} bytes; the limit is ${String(MAX_SITE_BYTES)}`,
      { fieldIssues: [{ path: 'portfolio', message: 'site exceeds the size budget' }] },
    );
  }

  const files = await Promise.all(
    documents.map(async (document): Promise<SiteFile> => {
      const variants = await compressSiteBody(document.body);
      return Object.freeze({ ...document, gzip: variants.gzip, brotli: variants.brotli });
    }),
  );

  return Object.freeze({
    files: Object.freeze(files),
    contentHash: hashSite(files),
    totalBytes,
  });
}

function createDocument(
  path: string,
  contentType: string,
  text: string,
  cacheControl: string,
): SiteDocument {
  const body = Buffer.from(text, 'utf8');
  return { path, contentType, body, sha256: sha256Hex(body), cacheControl };
}

/** Order-independent digest of the file set: sorted `path NUL sha256 LF` records. */
function hashSite(files: readonly SiteFile[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    hash.update(`${file.path}\0${file.sha256}\n`);
  }
  return hash.digest('hex');
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function parseSiteUrl(siteUrl: string): URL {
  const url = URL.canParse(siteUrl) ? new URL(siteUrl) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new InvalidInputError('request.invalid', 'The site URL must be an absolute http(s) URL', {
      fieldIssues: [{ path: 'siteUrl', message: 'must be an absolute http(s) URL' }],
    });
  }
  return url;
}

function assertValidDate(date: Date): Date {
  if (Number.isNaN(date.getTime())) {
    throw new InvalidInputError('request.invalid', 'The build time is not a valid date', {
      fieldIssues: [{ path: 'generatedAt', message: 'must be a valid date' }],
    });
  }
  return date;
}
