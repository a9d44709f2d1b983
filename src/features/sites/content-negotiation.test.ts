import { describe, expect, it } from 'vitest';

import { chooseEncoding, type EncodedSizes } from './content-negotiation.ts';

// A page that compresses well: brotli smallest, then gzip.
const page: EncodedSizes = { identity: 10_000, gzip: 2_500, br: 2_000 };

describe('chooseEncoding (R-PERF-6)', () => {
  it('sends identity when the client names no encodings', () => {
    expect(chooseEncoding(undefined, page)).toBe('identity');
    expect(chooseEncoding('', page)).toBe('identity');
  });

  it('prefers brotli, then gzip, when both are equally welcome', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd', page)).toBe('br');
    expect(chooseEncoding('gzip, deflate', page)).toBe('gzip');
    expect(chooseEncoding('x-gzip', page)).toBe('gzip');
    expect(chooseEncoding('deflate', page)).toBe('identity');
  });

  it('follows q-values, and q=0 refuses a coding', () => {
    expect(chooseEncoding('br;q=0.5, gzip;q=0.9', page)).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip', page)).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0', page)).toBe('identity');
    expect(chooseEncoding('gzip;q=0.2, identity;q=0.5', page)).toBe('identity');
  });

  it('is case- and whitespace-insensitive', () => {
    expect(chooseEncoding(' GZip ; Q=1 , BR ; q=0.1 ', page)).toBe('gzip');
  });

  it('reads * as every coding not named', () => {
    expect(chooseEncoding('*', page)).toBe('br');
    expect(chooseEncoding('br;q=0, *', page)).toBe('gzip');
    expect(chooseEncoding('*;q=0, gzip', page)).toBe('gzip');
  });

  it('sends identity anyway when everything is refused', () => {
    expect(chooseEncoding('*;q=0', page)).toBe('identity');
    expect(chooseEncoding('identity;q=0', page)).toBe('identity');
    expect(chooseEncoding('identity;q=0, br', page)).toBe('br');
  });

  it('skips entries with a malformed q-value instead of guessing', () => {
    expect(chooseEncoding('br;q=2, gzip', page)).toBe('gzip');
    expect(chooseEncoding('br;q=0.1234, gzip;q=abc', page)).toBe('identity');
  });

  it('keeps a tiny file uncompressed when compression would make it bigger', () => {
    expect(chooseEncoding('br, gzip', { identity: 40, gzip: 60, br: 44 })).toBe('identity');
    // An explicit preference still wins over size.
    expect(chooseEncoding('br, identity;q=0.5', { identity: 40, gzip: 60, br: 44 })).toBe('br');
  });
});
