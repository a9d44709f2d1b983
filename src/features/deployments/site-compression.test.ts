import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { compressSiteBody, MAX_BYTES_AT_BEST_BROTLI } from './site-compression.ts';

describe(compressSiteBody.name, () => {
  it.each([
    ['an empty body', Buffer.alloc(0)],
    ['a small page', Buffer.from('<!doctype html><p>Grüße · 你好</p>\n'.repeat(20), 'utf8')],
    [
      'a body above the best-quality threshold',
      Buffer.from('.a{color:red}\n'.repeat(Math.ceil(MAX_BYTES_AT_BEST_BROTLI / 14) + 1)),
    ],
  ])('round-trips %s through gzip and brotli', async (_label, body) => {
    const { gzip, brotli } = await compressSiteBody(body);
    expect(gunzipSync(gzip).equals(body)).toBe(true);
    expect(brotliDecompressSync(brotli).equals(body)).toBe(true);
  });

  it('shrinks repetitive text well below its size', async () => {
    const body = Buffer.from('<li class="item">Portfolio entry</li>\n'.repeat(500));
    const { gzip, brotli } = await compressSiteBody(body);
    expect(gzip.length).toBeLessThan(body.length / 10);
    expect(brotli.length).toBeLessThan(body.length / 10);
  });
});
