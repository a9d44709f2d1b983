import { InvalidInputError } from '../../errors/app-error.ts';

/** S3's own limit; also keeps local paths well inside every file system's PATH_MAX. */
export const MAX_KEY_BYTES = 1024;

// C0 controls, DEL and C1 controls: invisible in logs, and NUL truncates paths in C APIs.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

function invalidKey(path: string, reason: string): InvalidInputError {
  return new InvalidInputError('request.invalid', `The storage ${path} is invalid: ${reason}.`, {
    fieldIssues: [{ path, message: reason }],
  });
}

/** `isPrefix`: the last segment may be partial (or empty after a trailing "/"). */
function problemOf(key: string, isPrefix: boolean): string | undefined {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    return `longer than ${String(MAX_KEY_BYTES)} bytes`;
  }
  if (key.startsWith('/')) {
    return 'must be relative (no leading "/")';
  }
  if (key.includes('\\')) {
    return 'must not contain "\\"';
  }
  if (CONTROL_CHARACTER.test(key)) {
    return 'must not contain control characters';
  }
  const segments = key.split('/');
  if (isPrefix) {
    // A partial segment ("." may become ".well-known") only filters names; it is never a path.
    segments.pop();
  }
  for (const segment of segments) {
    if (segment === '') {
      return 'must not contain empty segments ("//" or a trailing "/")';
    }
    if (segment === '.' || segment === '..') {
      return 'must not contain "." or ".." segments';
    }
  }
  return undefined;
}

/**
 * Refuses any key that could escape its bucket on a file system or mean different objects on
 * different back ends: every adapter calls this before touching a key, so a key that is valid
 * on one adapter is valid on all of them.
 */
export function assertValidKey(key: string): void {
  if (key === '') {
    throw invalidKey('key', 'must not be empty');
  }
  const problem = problemOf(key, false);
  if (problem !== undefined) {
    throw invalidKey('key', problem);
  }
}

/** A listing prefix: empty (the whole bucket) or the start of a valid key, `/` allowed last. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') {
    return;
  }
  const problem = problemOf(prefix, true);
  if (problem !== undefined) {
    throw invalidKey('prefix', problem);
  }
}
