import { InvalidInputError } from '../../errors/app-error.ts';
import type { ByteRange } from './storage.ts';

/** SigV4 presigned URLs cannot outlive a week; the local adapter keeps the same ceiling. */
export const MAX_SIGNED_URL_SECONDS = 7 * 24 * 60 * 60;
export const DEFAULT_LIST_LIMIT = 1000;
/** S3 returns at most 1000 keys per page, so no adapter promises more. */
export const MAX_LIST_LIMIT = 1000;

function invalid(path: string, message: string): InvalidInputError {
  return new InvalidInputError('request.invalid', `The storage ${path} is invalid: ${message}.`, {
    fieldIssues: [{ path, message }],
  });
}

export function assertValidRange(range: ByteRange | undefined): void {
  if (range === undefined) {
    return;
  }
  if (!Number.isSafeInteger(range.start) || range.start < 0) {
    throw invalid('range', 'start must be a non-negative integer');
  }
  if (range.end !== undefined && (!Number.isSafeInteger(range.end) || range.end < range.start)) {
    throw invalid('range', 'end must be an integer no smaller than start');
  }
}

/** Thrown when a range starts at or beyond the end of the object (HTTP 416 territory). */
export function rangeNotSatisfiable(size?: number): InvalidInputError {
  return invalid(
    'range',
    size === undefined
      ? 'starts beyond the end of the object'
      : `starts beyond the end of the object (${String(size)} bytes)`,
  );
}

/** The inclusive bytes a range selects from an object of `size` bytes. */
export function resolveRange(
  range: ByteRange,
  size: number,
): { readonly start: number; readonly end: number } {
  if (range.start >= size) {
    throw rangeNotSatisfiable(size);
  }
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

export function assertValidExpiry(expiresInSeconds: number): void {
  if (
    !Number.isSafeInteger(expiresInSeconds) ||
    expiresInSeconds < 1 ||
    expiresInSeconds > MAX_SIGNED_URL_SECONDS
  ) {
    throw invalid(
      'expiresInSeconds',
      `must be a whole number of seconds from 1 to ${String(MAX_SIGNED_URL_SECONDS)}`,
    );
  }
}

export function resolveListLimit(limit: number | undefined): number {
  if (limit === undefined) {
    return DEFAULT_LIST_LIMIT;
  }
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw invalid('limit', `must be a whole number from 1 to ${String(MAX_LIST_LIMIT)}`);
  }
  return limit;
}

/** S3 orders keys by their UTF-8 bytes; JavaScript's default sort uses UTF-16 units. */
export function compareKeys(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}
