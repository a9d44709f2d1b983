import { describe, expect, it } from 'vitest';

import type { SiteManifest, SiteManifestFile } from '../../db/tables/deployments-tables.ts';
import { resolveSitePath } from './site-path.ts';

const file: SiteManifestFile = {
  contentType: 'text/html; charset=utf-8',
  cacheControl: 'no-cache',
  sha256: '0'.repeat(64),
  size: 1,
  gzipSize: 1,
  brotliSize: 1,
};
const manifest: SiteManifest = {
  files: {
    'index.html': file,
    'styles.0123456789ab.css': file,
    'robots.txt': file,
    'work/index.html': file,
    '404.html': file,
    'notes café.txt': file,
  },
};

describe('resolveSitePath (R-PLAT-3)', () => {
  it('serves index.html at the root and in directories', () => {
    expect(resolveSitePath(manifest, '/')).toEqual({ kind: 'file', path: 'index.html' });
    expect(resolveSitePath(manifest, '/work/')).toEqual({ kind: 'file', path: 'work/index.html' });
  });

  it('serves a listed file by its path', () => {
    expect(resolveSitePath(manifest, '/robots.txt')).toEqual({ kind: 'file', path: 'robots.txt' });
    expect(resolveSitePath(manifest, '/index.html')).toEqual({ kind: 'file', path: 'index.html' });
  });

  it('percent-decodes each segment', () => {
    expect(resolveSitePath(manifest, '/notes%20caf%C3%A9.txt')).toEqual({
      kind: 'file',
      path: 'notes café.txt',
    });
  });

  it('redirects a directory asked for without its slash', () => {
    expect(resolveSitePath(manifest, '/work')).toEqual({ kind: 'redirect', location: '/work/' });
  });

  it('finds nothing for unlisted paths', () => {
    for (const path of ['/missing', '/missing/', '/robots.txt/', '/Robots.txt', '/styles.css']) {
      expect(resolveSitePath(manifest, path), path).toEqual({ kind: 'missing' });
    }
  });

  it('refuses traversal, encoded slashes, empty segments and bad escapes', () => {
    for (const path of [
      '/work/..',
      '/%2e%2e/index.html',
      '/work%2Findex.html',
      '/work%5Cindex.html',
      '//index.html',
      '/work//index.html',
      '/%E0%A4%A',
      '/index.html%00',
      'index.html',
    ]) {
      expect(resolveSitePath(manifest, path), path).toEqual({ kind: 'missing' });
    }
  });

  it('never names the not-found page itself, however it is spelled (issue 8, fault 14)', () => {
    for (const path of ['/404.html', '/%34%30%34.html', '/404%2Ehtml', '/404.html/']) {
      expect(resolveSitePath(manifest, path), path).toEqual({ kind: 'missing' });
    }
  });

  it('never reads inherited properties of the manifest', () => {
    for (const path of ['/__proto__', '/constructor', '/toString', '/hasOwnProperty']) {
      expect(resolveSitePath(manifest, path), path).toEqual({ kind: 'missing' });
    }
  });
});
