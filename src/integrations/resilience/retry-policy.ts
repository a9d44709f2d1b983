import { setTimeout as sleepFor } from 'node:timers/promises';

import { IntegrationFailure, IntegrationRateLimitedError } from './integration-errors.ts';

export interface RetryOptions {
  /** Retries after the first attempt (3 → at most 4 attempts). */
  readonly retries: number;
  /** First delay; each later one doubles (2 s, 4 s, 8 s by default). */
  readonly baseDelayMs: number;
  /** Upper bound for any single wait, including a server's Retry-After. */
  readonly maxDelayMs: number;
}

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = async (ms) => {
  await sleepFor(ms);
};

/**
 * Only vendor and network failures are retried; everything else is final at once. A rate
 * limit is not retried here either: its wait did not fit an attempt, so the caller (a job)
 * waits it out instead of holding a worker.
 */
export function isRetryable(err: unknown): err is IntegrationFailure {
  return (
    err instanceof IntegrationFailure &&
    err.kind === 'retryable' &&
    !(err instanceof IntegrationRateLimitedError)
  );
}

/** The wait before retry number `retry` (0-based): the doubled base, or Retry-After if longer. */
export function delayBeforeRetry(options: RetryOptions, retry: number, err: unknown): number {
  const backoff = options.baseDelayMs * 2 ** retry;
  const requested = err instanceof IntegrationFailure ? (err.retryAfterMs ?? 0) : 0;
  return Math.min(Math.max(backoff, requested), options.maxDelayMs);
}

/** Runs `attempt` until it succeeds, fails for good, or the retries are used up. */
export async function withRetry<T>(
  options: RetryOptions,
  attempt: (attemptNumber: number) => Promise<T>,
  sleep: Sleep = realSleep,
): Promise<T> {
  for (let retry = 0; ; retry += 1) {
    try {
      return await attempt(retry + 1);
    } catch (err) {
      if (!isRetryable(err) || retry >= options.retries) {
        throw err;
      }
      await sleep(delayBeforeRetry(options, retry, err));
    }
  }
}
