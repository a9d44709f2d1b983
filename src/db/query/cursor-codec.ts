import { createHmac, timingSafeEqual } from 'node:crypto';

import type { z } from 'zod';

import { InvalidInputError } from '../../errors/app-error.ts';

const SIGNATURE_BYTES = 12;

export interface CursorCodec {
  encode(key: unknown): string;
  /** Throws InvalidInputError (`pagination.invalid_cursor`) for anything we did not issue. */
  decode<Key>(token: string, schema: z.ZodType<Key>): Key;
}

function invalidCursor(): InvalidInputError {
  return new InvalidInputError(
    'pagination.invalid_cursor',
    'The cursor is invalid or was altered.',
    {
      fieldIssues: [{ path: 'cursor', message: 'not a cursor issued by this API' }],
    },
  );
}

/**
 * Opaque keyset cursors: base64url JSON plus a truncated HMAC, so a client can pass them back
 * but not forge or edit one. The key is a position, never an authorisation.
 */
export function createCursorCodec(secret: string): CursorCodec {
  const sign = (payload: string) =>
    createHmac('sha256', secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);

  return {
    encode(key) {
      const payload = Buffer.from(JSON.stringify(key)).toString('base64url');
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    decode(token, schema) {
      const [payload, signature, ...rest] = token.split('.');
      if (payload === undefined || signature === undefined || rest.length > 0) {
        throw invalidCursor();
      }
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw invalidCursor();
      }
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalidCursor();
      }
      const parsed = schema.safeParse(decoded);
      if (!parsed.success) {
        throw invalidCursor();
      }
      return parsed.data;
    },
  };
}
