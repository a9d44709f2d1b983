import { createHmac, timingSafeEqual } from 'node:crypto';

// Links that prove who made them and until when: an HMAC-SHA256 over the fields and the
// expiry. A line feed cannot occur in the fields we sign (ids, bucket names, object keys,
// numbers), so no two different field lists share a message.

/** base64url HMAC-SHA256 of the fields and the expiry (Unix seconds), joined by line feeds. */
export function signExpiring(
  fields: readonly string[],
  expiresAtSeconds: number | string,
  secret: string,
): string {
  return createHmac('sha256', secret)
    .update([...fields, String(expiresAtSeconds)].join('\n'))
    .digest('base64url');
}

/** `expired`: made with the secret for these fields, but its time has passed. */
export type SignatureCheck = 'valid' | 'expired' | 'invalid';

/**
 * Whether `signature` was made with `secret` for exactly these fields and expiry (Unix
 * seconds, as it appears in the link), and whether that expiry is still ahead of `nowMs`.
 * The comparison takes the same time wherever the bytes differ.
 */
export function checkExpiring(
  fields: readonly string[],
  expires: string,
  signature: string,
  secret: string,
  nowMs: number = Date.now(),
): SignatureCheck {
  if (!/^\d{1,12}$/.test(expires)) {
    return 'invalid';
  }
  // Compared as text: base64url decoding ignores stray trailing bits, so two different
  // strings could otherwise pass for the same signature.
  const expected = Buffer.from(signExpiring(fields, expires, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'invalid';
  }
  return Number(expires) * 1000 > nowMs ? 'valid' : 'expired';
}
