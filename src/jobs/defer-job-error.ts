import { findBlockedUntil } from '../integrations/resilience/integration-errors.ts';

/**
 * A handler's "not now": the job runs again at `untilMs` and this run does not count as an
 * attempt. For waits that are nobody's failure, such as a vendor's rate limit.
 */
export class DeferJobError extends Error {
  override readonly name: string = 'DeferJobError';
  /** Epoch milliseconds. */
  readonly untilMs: number;

  constructor(untilMs: number, message: string) {
    super(message);
    this.untilMs = untilMs;
  }
}

/**
 * When a failed run should instead wait: a DeferJobError, or an error caused by a vendor's
 * rate limit still in force ("blocked until"). Undefined for every other failure.
 */
export function findDeferral(err: unknown, now = Date.now()): number | undefined {
  if (err instanceof DeferJobError) {
    return err.untilMs > now ? err.untilMs : undefined;
  }
  return findBlockedUntil(err, now);
}
