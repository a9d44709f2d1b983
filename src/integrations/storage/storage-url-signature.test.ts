import { describe, expect, it } from 'vitest';

import { signStorageUrl, verifyStorageSignature } from './storage-url-signature.ts';

const SECRET = 'signature-test-secret-0123456789abcdefghij';
const NOW_MS = 1_800_000_000_000;
const EXPIRES = NOW_MS / 1000 + 60;

function fields(overrides: Partial<Parameters<typeof verifyStorageSignature>[0]> = {}) {
  return {
    bucket: 'exports',
    key: 'user/report.pdf',
    expires: String(EXPIRES),
    signature: signStorageUrl('exports', 'user/report.pdf', EXPIRES, SECRET),
    ...overrides,
  };
}

describe(verifyStorageSignature.name, () => {
  it('accepts what it signed until the expiry second', () => {
    expect(verifyStorageSignature(fields(), SECRET, NOW_MS)).toBe(true);
    expect(verifyStorageSignature(fields(), SECRET, EXPIRES * 1000 - 1)).toBe(true);
  });

  it('refuses at and after the expiry', () => {
    expect(verifyStorageSignature(fields(), SECRET, EXPIRES * 1000)).toBe(false);
    expect(verifyStorageSignature(fields(), SECRET, EXPIRES * 1000 + 60_000)).toBe(false);
  });

  it.each([
    ['another bucket', { bucket: 'portfolios' }],
    ['another key', { key: 'user/other.pdf' }],
    ['a later expiry', { expires: String(EXPIRES + 3600) }],
    ['a non-numeric expiry', { expires: `${String(EXPIRES)}.0` }],
    ['an empty signature', { signature: '' }],
    ['a truncated signature', { signature: fields().signature.slice(0, -1) }],
  ])('refuses %s', (_label, overrides) => {
    expect(verifyStorageSignature(fields(overrides), SECRET, NOW_MS)).toBe(false);
  });

  it('refuses another secret, and every other spelling of the same bytes', () => {
    expect(verifyStorageSignature(fields(), `${SECRET}x`, NOW_MS)).toBe(false);
    const signature = fields().signature;
    // 32 bytes fill 43 base64url characters with 2 spare bits in the last one: setting a spare
    // bit spells the same bytes differently, which a byte-wise check would let through.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = signature.slice(0, -1) + alphabet[alphabet.indexOf(signature.at(-1)!) | 1]!;
    expect(Buffer.from(sibling, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(verifyStorageSignature(fields({ signature: sibling }), SECRET, NOW_MS)).toBe(false);
  });
});
