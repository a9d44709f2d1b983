import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import type { Context, MiddlewareHandler } from 'hono';

import { AppError, UnavailableError } from '../../errors/app-error.ts';
import { chooseEncoding } from '../../features/sites/content-negotiation.ts';
import { matchesIfNoneMatch, siteFileEtag } from '../../features/sites/etag-match.ts';
import type { LiveSite } from '../../features/sites/live-site-cache.ts';
import type { ResolveLiveSite } from '../../features/sites/live-sites.ts';
import {
  parseSiteHost,
  type SiteAddress,
  type SiteHost,
} from '../../features/sites/site-address.ts';
import { NOT_FOUND_PAGE, resolveSitePath } from '../../features/sites/site-path.ts';
import {
  SITE_BUCKET,
  type SiteEncoding,
  siteObjectKey,
} from '../../features/sites/site-storage-layout.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import type { AppEnv } from '../app-env.ts';
import { createProblem, problemResponse } from '../problem.ts';

export interface SiteServingDeps {
  readonly address: SiteAddress;
  readonly resolve: ResolveLiveSite;
  readonly storage: Storage;
}

/**
 * For the static pages the site builder emits: no script at all, styles from the site itself
 * plus inline `<style>` (the builder's 404 page carries its own, since it is answered at any
 * depth; user text is escaped, so it cannot add a style element), images from anywhere on the
 * web because portfolios link them by URL. No forms, no framing, no `<base>` rewriting.
 */
export const SITE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' https: http: data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_ENCODING: Readonly<Record<SiteEncoding, string | undefined>> = {
  identity: undefined,
  gzip: 'gzip',
  br: 'br',
};

const ALLOWED_METHODS = 'GET, HEAD';
// The CA validates a custom domain's certificate over plain HTTP at this path on the domain
// itself, so it must reach the ACME route, never a site's 404.
const ACME_CHALLENGE_PATH = '/.well-known/acme-challenge/';

const UNKNOWN_SITE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>Site not found</title>
</head>
<body>
  <h1>Site not found</h1>
  <p>No portfolio is published at this address.</p>
</body>
</html>
`;

function siteHeaders(extra: Record<string, string | undefined>): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': SITE_CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
  };
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined) {
      headers[name] = value;
    }
  }
  return headers;
}

function unknownSite(c: Context<AppEnv>): Response {
  const body = Buffer.from(UNKNOWN_SITE_HTML, 'utf8');
  const headers = siteHeaders({
    'content-type': 'text/html; charset=utf-8',
    // A site may go live any moment; our own cache keeps a miss for 30 s only.
    'cache-control': 'no-store',
    'content-length': String(body.length),
  });
  return c.req.method === 'HEAD' ? c.body(null, 404, headers) : c.body(body, 404, headers);
}

/** Status 200 for a file, 404 for the deployment's own not-found page. */
async function serveFile(
  c: Context<AppEnv>,
  deps: SiteServingDeps,
  site: LiveSite,
  path: string,
  status: 200 | 404,
): Promise<Response> {
  const file = site.manifest.files[path];
  if (file === undefined) {
    return unknownSite(c);
  }
  const sizes: Readonly<Record<SiteEncoding, number>> = {
    identity: file.size,
    gzip: file.gzipSize,
    br: file.brotliSize,
  };
  const encoding = chooseEncoding(c.req.header('accept-encoding'), sizes);
  // Preconditions apply to successful answers only (RFC 9110 §13.2.1); a 404 gets no tag.
  const etag = status === 200 ? siteFileEtag(file.sha256, encoding) : undefined;
  const cacheControl = status === 200 ? file.cacheControl : 'no-cache';
  const vary = 'Accept-Encoding';

  if (etag !== undefined && matchesIfNoneMatch(c.req.header('if-none-match'), etag)) {
    return c.body(null, 304, siteHeaders({ etag, 'cache-control': cacheControl, vary }));
  }
  const headers = siteHeaders({
    'content-type': file.contentType,
    'content-encoding': CONTENT_ENCODING[encoding],
    'cache-control': cacheControl,
    vary,
    etag,
  });
  // HEAD is answered from the manifest: opening a body nobody reads would hold a file open.
  if (c.req.method === 'HEAD') {
    return c.body(null, status, { ...headers, 'content-length': String(sizes[encoding]) });
  }

  const key = siteObjectKey(site.portfolioId, site.deploymentId, path, encoding);
  const object = await deps.storage.getObject(SITE_BUCKET, key);
  if (object === undefined) {
    // The manifest promises this file: a lost or half-uploaded deployment, not a client error.
    c.get('logger').error(
      { bucket: SITE_BUCKET, key, deploymentId: site.deploymentId },
      'deployed site file missing from storage',
    );
    return problemResponse(
      createProblem({
        status: 503,
        code: 'dependency.unavailable',
        detail: 'This page cannot be served right now.',
        instance: c.req.path,
        requestId: c.get('requestId'),
      }),
      { 'retry-after': '30' },
    );
  }
  const body = Readable.toWeb(object.body) as WebReadableStream<Uint8Array> as ReadableStream;
  return c.body(body, status, { ...headers, 'content-length': String(object.size) });
}

async function resolveSite(deps: SiteServingDeps, host: SiteHost): Promise<LiveSite | undefined> {
  try {
    return await deps.resolve(host);
  } catch (error: unknown) {
    if (error instanceof AppError) {
      throw error;
    }
    // The database is the only other thing a lookup touches (the cache swallows its own
    // failures): a visitor should see "try later", not an internal error. The error handler
    // logs it with this cause.
    throw new UnavailableError('dependency.unavailable', 'The site cannot be looked up now.', {
      cause: error,
    });
  }
}

/**
 * Serves deployed sites by Host (R-PLAT-3, R-PERF-6, R-PERF-7): a request for
 * `{subdomain}.{BASE_DOMAIN}` or a verified custom domain gets the live deployment's files
 * from storage and never reaches the API routes. Any other host passes through untouched,
 * and so does a custom-domain candidate that serves no site, because probes and proxies reach
 * the API under names we cannot list; an unknown subdomain gets a small 404 page.
 */
export function siteServing(deps: SiteServingDeps): MiddlewareHandler<AppEnv> {
  return async function siteServing(c, next) {
    const host = parseSiteHost(deps.address, c.req.header('host') ?? new URL(c.req.url).host);
    if (host === undefined || c.req.path.startsWith(ACME_CHALLENGE_PATH)) {
      await next();
      return;
    }
    const site = await resolveSite(deps, host);
    if (site === undefined && host.kind === 'custom') {
      await next();
      return;
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return c.text('Method not allowed.\n', 405, siteHeaders({ allow: ALLOWED_METHODS }));
    }
    if (site === undefined) {
      return unknownSite(c);
    }
    const url = new URL(c.req.url);
    const target = resolveSitePath(site.manifest, url.pathname);
    switch (target.kind) {
      case 'file':
        return serveFile(c, deps, site, target.path, 200);
      case 'redirect':
        return c.redirect(`${target.location}${url.search}`, 308);
      case 'missing':
        return serveFile(c, deps, site, NOT_FOUND_PAGE, 404);
    }
  };
}
