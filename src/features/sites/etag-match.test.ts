import { describe, expect, it } from 'vitest';

import { matchesIfNoneMatch, siteFileEtag } from './etag-match.ts';

const sha = 'a'.repeat(64);

describe('siteFileEtag (R-PERF-7)', () => {
  it('is strong and distinct per encoding', () => {
    const tags = [
      siteFileEtag(sha, 'identity'),
      siteFileEtag(sha, 'gzip'),
      siteFileEtag(sha, 'br'),
    ];
    expect(tags).toEqual([`"${sha}"`, `"${sha}-gz"`, `"${sha}-br"`]);
  });
});

describe('matchesIfNoneMatch (R-PERF-7)', () => {
  const etag = siteFileEtag(sha, 'br');

  it('matches the same tag, alone or in a list', () => {
    expect(matchesIfNoneMatch(etag, etag)).toBe(true);
    expect(matchesIfNoneMatch(`"other", ${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch(`"x",${etag} , "y"`, etag)).toBe(true);
  });

  it('compares weakly: a W/ prefix on either side still matches', () => {
    expect(matchesIfNoneMatch(`W/${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch(etag, `W/${etag}`)).toBe(true);
  });

  it('matches * for any current representation', () => {
    expect(matchesIfNoneMatch(' * ', etag)).toBe(true);
  });

  it("does not match another encoding's tag or a missing header", () => {
    expect(matchesIfNoneMatch(siteFileEtag(sha, 'gzip'), etag)).toBe(false);
    expect(matchesIfNoneMatch(siteFileEtag(sha, 'identity'), etag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, etag)).toBe(false);
    expect(matchesIfNoneMatch('', etag)).toBe(false);
  });

  it('accepts empty list elements and commas inside a tag', () => {
    expect(matchesIfNoneMatch(`, ,${etag},`, etag)).toBe(true);
    expect(matchesIfNoneMatch('"a,b"', '"a,b"')).toBe(true);
    expect(matchesIfNoneMatch('"a,b"', '"a"')).toBe(false);
  });

  it('never matches a malformed header', () => {
    expect(matchesIfNoneMatch(sha, etag)).toBe(false);
    expect(matchesIfNoneMatch(`${etag} ${etag}`, etag)).toBe(false);
    expect(matchesIfNoneMatch(`"${sha}-br`, etag)).toBe(false);
    expect(matchesIfNoneMatch(`*, ${etag}`, etag)).toBe(false);
  });
});
