import { checkExpiring, signExpiring } from '../../lib/expiring-signature.ts';

export interface StorageSignatureFields {
  readonly bucket: string;
  readonly key: string;
  /** Unix seconds, exactly as it appears in the URL. */
  readonly expires: string;
  /** base64url, as it appears in the URL. */
  readonly signature: string;
}

/** base64url HMAC-SHA256 of "bucket\nkey\nexpires" (expires in Unix seconds). */
export function signStorageUrl(
  bucket: string,
  key: string,
  expiresAtSeconds: number,
  secret: string,
): string {
  return signExpiring([bucket, key], expiresAtSeconds, secret);
}

/**
 * True when the signature was made with `secret` for exactly this bucket, key and expiry, and
 * the expiry is still ahead of `nowMs`.
 */
export function verifyStorageSignature(
  fields: StorageSignatureFields,
  secret: string,
  nowMs: number = Date.now(),
): boolean {
  const check = checkExpiring(
    [fields.bucket, fields.key],
    fields.expires,
    fields.signature,
    secret,
    nowMs,
  );
  return check === 'valid';
}
