import {
  failureKindOfStatus,
  IntegrationFailure,
  parseRetryAfter,
} from '../resilience/integration-errors.ts';
import { rangeNotSatisfiable } from './storage-arguments.ts';

/** The part of the SDK's ServiceException we read; duck-typed so only the adapter imports it. */
interface S3ServiceError extends Error {
  readonly $metadata: { readonly httpStatusCode?: number | undefined };
  readonly $response?: { readonly headers: Readonly<Record<string, string | undefined>> };
}

const MISSING_OBJECT = new Set(['NoSuchKey', 'NotFound']);
// Throttling and S3's "RequestTimeout" (a 400!) say nothing about our request being wrong.
const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
]);

/** A reply from the service, as opposed to a connection failure. */
export function isS3ServiceError(err: unknown): err is S3ServiceError {
  return (
    err instanceof Error &&
    typeof (err as { $metadata?: unknown }).$metadata === 'object' &&
    (err as { $metadata?: unknown }).$metadata !== null
  );
}

export function s3StatusOf(err: unknown): number | undefined {
  return isS3ServiceError(err) ? err.$metadata.httpStatusCode : undefined;
}

/** S3 "not found" for a key (never for a bucket, which is a configuration fault). */
export function isMissingS3Object(err: unknown): boolean {
  return isS3ServiceError(err) && s3StatusOf(err) === 404 && MISSING_OBJECT.has(err.name);
}

/**
 * Classifies an SDK failure: 4xx → `rejected`, 5xx, throttling or no status → `retryable`.
 * Anything that is not a service reply (connection refused, reset, aborted) is left as it is:
 * the resilient call already treats unknown errors as retryable network failures.
 */
export function toS3Failure(err: unknown, operation: string): unknown {
  if (!isS3ServiceError(err)) {
    return err;
  }
  const status = err.$metadata.httpStatusCode;
  if (status === 416 || err.name === 'InvalidRange') {
    return rangeNotSatisfiable();
  }
  const kind =
    RETRYABLE_NAMES.has(err.name) || status === undefined
      ? 'retryable'
      : failureKindOfStatus(status);
  return new IntegrationFailure(
    'storage',
    `S3 ${operation} failed with ${String(status ?? 'no status')} ${err.name}: ${err.message}`,
    {
      kind,
      status,
      retryAfterMs: parseRetryAfter(err.$response?.headers['retry-after']),
      cause: err,
    },
  );
}

/** "bytes 0-9/100" → the bytes returned and the whole object's size. */
export function parseContentRange(
  header: string | undefined,
): { readonly start: number; readonly end: number; readonly size: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '');
  return match === null
    ? undefined
    : { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
}
