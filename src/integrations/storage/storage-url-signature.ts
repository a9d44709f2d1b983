import { createHmac, timingSafeEqual } from 'node:crypto';

export interface StorageSignatureFields {
  readonly bucket: string;
  readonly key: string;
  /** Unix seconds, exactly as it appears in the URL. */
  readonly expires: string;
  /** base64url, as it appears in the URL. */
  readonly signature: string;
}

// A line feed cannot occur in a bucket name, a valid key or a number, so no two different
// (bucket, key, expires) triples share a message.
function sign(bucket: string, key: string, expires: string, secret: string): string {
  return createHmac('sha256', secret).update(`${bucket}\n${key}\n${expires}`).digest('base64url');
}

/** base64url HMAC-SHA256 of "bucket\nkey\nexpires" (expires in Unix seconds). */
export function signStorageUrl(
  bucket: string,
  key: string,
  expiresAtSeconds: number,
  secret: string,
): string {
  return sign(bucket, key, String(expiresAtSeconds), secret);
}

/**
 * True when the signature was made with `secret` for exactly this bucket, key and expiry, and
 * the expiry is still ahead of `nowMs`. The comparison takes the same time wherever the bytes
 * differ.
 */
export function verifyStorageSignature(
  fields: StorageSignatureFields,
  secret: string,
  nowMs: number = Date.now(),
): boolean {
  if (!/^\d{1,12}$/.test(fields.expires) || Number(fields.expires) * 1000 <= nowMs) {
    return false;
  }
  // Compared as text: base64url decoding ignores stray trailing bits, so two different
  // strings could otherwise pass for the same signature.
  const expected = Buffer.from(sign(fields.bucket, fields.key, fields.expires, secret));
  const given = Buffer.from(fields.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
