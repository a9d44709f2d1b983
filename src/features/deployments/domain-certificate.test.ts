import { describe, expect, it } from 'vitest';

import { needsCertificate } from './domain-certificate.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

describe(needsCertificate.name, () => {
  const now = new Date('2025-06-01T00:00:00.000Z');
  const certificate = (notAfter: Date | null) => ({
    certificateChainKey: 'jane.example.com/1.chain.pem',
    certificateKeyKey: 'jane.example.com/1.key.pem',
    certificateNotAfter: notAfter,
  });

  it('issues one for a domain without a certificate', () => {
    expect(needsCertificate(certificate(null), now)).toBe(true);
    expect(
      needsCertificate(
        { ...certificate(new Date(now.getTime() + 80 * DAY_MS)), certificateKeyKey: null },
        now,
      ),
    ).toBe(true);
  });

  it('keeps a certificate outside its 30-day renewal window', () => {
    expect(needsCertificate(certificate(new Date(now.getTime() + 31 * DAY_MS)), now)).toBe(false);
  });

  it('renews one inside the window', () => {
    expect(needsCertificate(certificate(new Date(now.getTime() + 29 * DAY_MS)), now)).toBe(true);
  });
});
