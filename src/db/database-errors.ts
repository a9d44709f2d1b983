import { UnavailableError } from '../errors/app-error.ts';

// R-SEC-1: a database that is busy or restarting is a reason to retry, not a bug. These
// failures become 503 with Retry-After; everything else stays what it is.

/** pg-pool's message when no connection frees up within `connectionTimeoutMillis`. */
const POOL_ACQUIRE_TIMEOUT = 'timeout exceeded when trying to connect';

/** SQLSTATEs that say "try again shortly" (PostgreSQL Appendix A). */
const RETRYABLE_SQLSTATES: Readonly<Record<string, string>> = {
  '57014': 'statement timeout',
  '55P03': 'lock timeout',
  '53300': 'too many connections',
  '57P01': 'server shutting down',
  '57P03': 'server starting up',
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

function stringField(err: unknown, field: 'code' | 'message'): string | undefined {
  const value = (err as Record<string, unknown> | null)?.[field];
  return typeof value === 'string' ? value : undefined;
}

/** Why the database could not serve, when that is a transient condition; undefined otherwise. */
export function findTransientDatabaseCause(err: unknown): string | undefined {
  const message = stringField(err, 'message');
  if (message === POOL_ACQUIRE_TIMEOUT) {
    return 'pool acquire timeout';
  }
  if (message?.startsWith('Connection terminated') === true) {
    return 'connection lost';
  }
  const code = stringField(err, 'code');
  if (code === undefined) {
    return undefined;
  }
  if (code.startsWith('08')) {
    return 'connection failure';
  }
  return RETRYABLE_SQLSTATES[code] ?? (NETWORK_CODES.has(code) ? 'connection failure' : undefined);
}

/** The 503 a caller sees for a transient database failure, or undefined for any other error. */
export function translateDatabaseError(err: unknown): UnavailableError | undefined {
  const cause = findTransientDatabaseCause(err);
  return cause === undefined
    ? undefined
    : new UnavailableError('database.busy', 'The service is busy; try again shortly.', {
        cause: err,
        retryAfterSeconds: 1,
      });
}
