import type { SiteManifest } from '../../db/tables/deployments-tables.ts';

/** What a request path names in a deployed site. */
export type SitePathTarget =
  | { readonly kind: 'file'; readonly path: string }
  /** A directory asked for without its slash: relative links inside it need the slash. */
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'missing' };

const INDEX = 'index.html';
/** The deployment's own not-found page: the body of every miss, never a page of its own. */
export const NOT_FOUND_PAGE = '404.html';
const MISSING: SitePathTarget = { kind: 'missing' };

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Maps a URL path (still percent-encoded, as in `new URL(url).pathname`) to a file of the
 * manifest: `/` and `/dir/` to their `index.html`, `/x` to `x`. Only paths the manifest lists
 * are ever returned, so nothing outside the deployment's files can be named; a segment that
 * decodes to `.`/`..`, or to something holding a slash, backslash or NUL, is simply missing.
 * So is the not-found page itself: asked for by name it would otherwise answer 200, telling
 * crawlers and link checkers that a missing page exists.
 */
export function resolveSitePath(manifest: SiteManifest, urlPath: string): SitePathTarget {
  if (!urlPath.startsWith('/')) {
    return MISSING;
  }
  const rawSegments = urlPath.slice(1).split('/');
  const isDirectory = rawSegments[rawSegments.length - 1] === '';
  if (isDirectory) {
    rawSegments.pop();
  }
  const segments: string[] = [];
  for (const raw of rawSegments) {
    const segment = decodeSegment(raw);
    if (
      segment === undefined ||
      segment === '' ||
      segment === '.' ||
      segment === '..' ||
      /[/\\\0]/.test(segment)
    ) {
      return MISSING;
    }
    segments.push(segment);
  }
  // Own keys only: `__proto__` or `constructor` must not reach the prototype.
  const has = (path: string) => path !== NOT_FOUND_PAGE && Object.hasOwn(manifest.files, path);
  const path = segments.join('/');
  if (isDirectory) {
    const index = path === '' ? INDEX : `${path}/${INDEX}`;
    return has(index) ? { kind: 'file', path: index } : MISSING;
  }
  if (has(path)) {
    return { kind: 'file', path };
  }
  // The location reuses the encoded path, which starts with one "/" and a non-empty segment,
  // so it cannot become a protocol-relative `//elsewhere` redirect.
  return has(`${path}/${INDEX}`) ? { kind: 'redirect', location: `${urlPath}/` } : MISSING;
}
