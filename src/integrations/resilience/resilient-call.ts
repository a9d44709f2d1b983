import type { Logger } from 'pino';

import { assertOutsideTransaction } from '../../db/transaction-scope.ts';
import { AppError } from '../../errors/app-error.ts';
import { type Breaker, type BreakerOptions, createBreaker } from './circuit-breaker.ts';
import {
  IntegrationFailure,
  type IntegrationName,
  IntegrationRateLimitedError,
  IntegrationTimeoutError,
  IntegrationUnavailableError,
} from './integration-errors.ts';
import { realSleep, type RetryOptions, type Sleep, withRetry } from './retry-policy.ts';
import { runAttempt } from './run-attempt.ts';

export interface ResilienceOptions {
  readonly breaker: BreakerOptions;
  readonly retry: RetryOptions;
  /** Budget of one attempt; the attempt's AbortSignal fires when it runs out. */
  readonly timeoutMs: number;
}

export type AttemptOutcome =
  'success' | 'failure' | 'rejected' | 'timeout' | 'rate-limited' | 'short-circuited';

export interface AttemptObserver {
  onAttempt(integration: IntegrationName, outcome: AttemptOutcome, durationMs: number): void;
  /** Every 429 a vendor answered, including those waited out within an attempt. */
  onRateLimited?(integration: IntegrationName): void;
}

/**
 * Runs one vendor operation with the integration's policy. `attempt` gets a fresh
 * AbortSignal per try and must pass it to the request, so a timeout really cancels it.
 */
export type ResilientCall = <T>(
  operation: string,
  attempt: (signal: AbortSignal) => Promise<T>,
) => Promise<T>;

export interface Integration {
  readonly name: IntegrationName;
  readonly call: ResilientCall;
  readonly breaker: Breaker;
}

/** Caller faults (4xx, validation) say nothing about the vendor's health. */
export function isCallerFault(err: unknown): boolean {
  return (
    (err instanceof IntegrationFailure && err.kind === 'rejected') ||
    (err instanceof AppError && !(err instanceof IntegrationUnavailableError))
  );
}

/** A vendor asking us to wait is up, not failing; nor did the call succeed. */
export function isThrottled(err: unknown): boolean {
  return err instanceof IntegrationRateLimitedError;
}

function outcomeOf(err: unknown): AttemptOutcome {
  if (err instanceof IntegrationUnavailableError) {
    return 'short-circuited';
  }
  if (err instanceof IntegrationTimeoutError) {
    return 'timeout';
  }
  if (isThrottled(err)) {
    return 'rate-limited';
  }
  return isCallerFault(err) ? 'rejected' : 'failure';
}

/**
 * What an API caller may read. The vendor's own error (paths, hosts, response bodies) stays
 * in `cause`, which is logged but never sent.
 */
function unavailableMessage(name: IntegrationName): string {
  return `The ${name} service is unavailable right now; try again later.`;
}

/** Builds the breaker and the retrying, timed call for one integration. */
export function createIntegration(
  name: IntegrationName,
  options: ResilienceOptions,
  deps: {
    readonly logger: Logger;
    readonly observer?: AttemptObserver;
    readonly sleep?: Sleep;
    /** Names a second breaker of the same integration (e.g. one per geolocation provider). */
    readonly breakerName?: string;
  },
): Integration {
  const breaker = createBreaker(
    name,
    options.breaker,
    { isCallerFault, isThrottled },
    deps.breakerName,
  );
  const sleep = deps.sleep ?? realSleep;
  const attemptOptions = {
    integration: name,
    timeoutMs: options.timeoutMs,
    sleep,
    onRateLimited: () => deps.observer?.onRateLimited?.(name),
  };
  // One key per fact: `integration` names the port, `breaker` a vendor's own breaker.
  const logger = deps.logger.child(
    deps.breakerName === undefined
      ? { integration: name }
      : { integration: name, breaker: deps.breakerName },
  );

  const call: ResilientCall = (operation, attempt) => {
    // A vendor may take its whole timeout; a transaction held meanwhile blocks others (R-SEC-1).
    assertOutsideTransaction(`the ${name} integration was called (${operation})`);
    return withRetry(
      options.retry,
      async (attemptNumber) => {
        const startedAt = performance.now();
        let outcome: AttemptOutcome = 'success';
        try {
          return await breaker.run(() => runAttempt(attemptOptions, attempt));
        } catch (err) {
          outcome = outcomeOf(err);
          if (outcome === 'timeout') {
            breaker.recordTimeout();
          }
          logger.warn(
            {
              operation,
              attemptNumber,
              outcome,
              err: { message: (err as Error).message },
            },
            'integration attempt failed',
          );
          // This failure opened the breaker: waiting to retry would only meet it open. A
          // caller fault (4xx) that lands while the breaker is open stays what it is.
          const vendorFailed = outcome === 'failure' || outcome === 'timeout';
          if (vendorFailed && breaker.snapshot().state === 'open') {
            throw new IntegrationUnavailableError(name, unavailableMessage(name), err);
          }
          throw err;
        } finally {
          deps.observer?.onAttempt(name, outcome, performance.now() - startedAt);
        }
      },
      sleep,
    ).catch((err: unknown) => {
      // Retries used up on a vendor failure: callers see one typed "unavailable" error. A rate
      // limit stays itself, so a job can wait until it ends.
      if (err instanceof IntegrationFailure && err.kind === 'retryable' && !isThrottled(err)) {
        throw new IntegrationUnavailableError(name, unavailableMessage(name), err);
      }
      throw err;
    });
  };

  return { name, call, breaker };
}
