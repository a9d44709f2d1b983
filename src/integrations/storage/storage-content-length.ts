import { Transform, type TransformCallback } from 'node:stream';

import { InvalidInputError } from '../../errors/app-error.ts';

function invalidLength(message: string): InvalidInputError {
  return new InvalidInputError(
    'request.invalid',
    `The storage contentLength is invalid: ${message}.`,
    {
      fieldIssues: [{ path: 'contentLength', message }],
    },
  );
}

/** A declared length must be a whole, non-negative number of bytes. */
export function assertValidContentLength(contentLength: number | undefined): void {
  if (contentLength !== undefined && (!Number.isSafeInteger(contentLength) || contentLength < 0)) {
    throw invalidLength('must be a whole, non-negative number of bytes');
  }
}

/** The body did not have the length its caller declared: the caller's fault, never retried. */
export function contentLengthMismatch(expected: number, actual: string): InvalidInputError {
  return invalidLength(`the body has ${actual} bytes, not the declared ${String(expected)}`);
}

/**
 * Passes a body through while counting it, and fails it unless it is exactly `expected` bytes.
 * The last chunk is held back until the source ends, so a receiver never gets the declared
 * length in full from a body that turns out to be longer: it sees the stream fail instead.
 */
export function createContentLengthCheck(expected: number): Transform {
  let seen = 0;
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.byteLength;
      if (seen > expected) {
        callback(contentLengthMismatch(expected, `more than ${String(expected)}`));
        return;
      }
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback: TransformCallback) {
      if (seen !== expected) {
        callback(contentLengthMismatch(expected, String(seen)));
        return;
      }
      callback(null, held);
    },
  });
}
