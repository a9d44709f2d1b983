import type { SiteEncoding } from './site-storage-layout.ts';

const ENCODING_SUFFIX: Readonly<Record<SiteEncoding, string>> = {
  identity: '',
  gzip: '-gz',
  br: '-br',
};

/**
 * The strong ETag of one file in one encoding (R-PERF-7): the SHA-256 of the uncompressed
 * body, with a suffix per encoding, because the compressed bytes differ and a cache must not
 * hand out one variant's bytes for another's tag.
 */
export function siteFileEtag(sha256: string, encoding: SiteEncoding): string {
  return `"${sha256}${ENCODING_SUFFIX[encoding]}"`;
}

/** The opaque part of each entity tag in a list, weak or not; undefined when malformed. */
function parseEntityTags(header: string): string[] | undefined {
  const tags: string[] = [];
  // `W/"..."` or `"..."`; etagc excludes `"`, so the closing quote ends the tag even when the
  // tag itself holds a comma.
  const entity = /(?:W\/)?"([^"]*)"[ \t]*/y;
  let at = 0;
  for (;;) {
    // Empty list elements (`, a, , b`) are allowed by the list syntax.
    while (at < header.length && /[\s,]/.test(header.charAt(at))) {
      at += 1;
    }
    if (at === header.length) {
      return tags;
    }
    entity.lastIndex = at;
    const match = entity.exec(header);
    if (match === null) {
      return undefined;
    }
    tags.push(match[1] ?? '');
    at = entity.lastIndex;
    if (at < header.length && header.charAt(at) !== ',') {
      return undefined;
    }
  }
}

/**
 * Whether If-None-Match holds `etag` (R-PERF-7, RFC 9110 §13.1.2): `*` matches any current
 * representation, and list members compare weakly (a `W/` prefix on either side is ignored),
 * since a proxy may have weakened our tag. A malformed header never matches, so the client
 * gets the full response rather than a wrong 304.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) {
    return false;
  }
  const trimmed = header.trim();
  if (trimmed === '*') {
    return true;
  }
  const current = /^(?:W\/)?"([^"]*)"$/.exec(etag)?.[1];
  const tags = parseEntityTags(trimmed);
  return current !== undefined && (tags?.includes(current) ?? false);
}
