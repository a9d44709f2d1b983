import CircuitBreaker from 'opossum';

import { type IntegrationName, IntegrationUnavailableError } from './integration-errors.ts';

export interface BreakerOptions {
  /** Consecutive counted failures that open the breaker. */
  readonly failuresToOpen: number;
  /** How long it stays open before one trial call is let through. */
  readonly resetAfterMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
  readonly integration: IntegrationName;
  /** Which breaker of the integration: the integration's name, or e.g. `geolocation:ipapi`. */
  readonly name: string;
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  readonly fires: number;
  readonly successes: number;
  readonly failures: number;
  readonly rejects: number;
  readonly timeouts: number;
  readonly latencyMeanMs: number;
}

export interface Breaker {
  readonly integration: IntegrationName;
  readonly name: string;
  /** Runs one attempt through the breaker; rejects at once while open. */
  run<T>(attempt: () => Promise<T>): Promise<T>;
  /** Counts a timed-out attempt (it also fails through `run`). */
  recordTimeout(): void;
  snapshot(): BreakerSnapshot;
  shutdown(): void;
}

type Thunk = () => Promise<unknown>;

/** How a failed attempt bears on the vendor's health. */
export interface BreakerClassifier {
  /** Our request was wrong: the vendor answered, so it ends a run of failures. */
  isCallerFault(err: unknown): boolean;
  /** The vendor asked us to wait: neither a failure nor a success. */
  isThrottled(err: unknown): boolean;
}

/**
 * One opossum breaker per integration, opened by *consecutive* failures rather than by
 * opossum's percentage (which, without a volume threshold, opens on a single failure).
 * opossum's own timeout is off: each attempt carries its own AbortSignal instead, because
 * opossum's shared abort controller would cancel unrelated calls.
 */
export function createBreaker(
  integration: IntegrationName,
  options: BreakerOptions,
  classify: BreakerClassifier,
  name: string = integration,
): Breaker {
  const breaker = new CircuitBreaker<[Thunk], unknown>((attempt: Thunk) => attempt(), {
    name,
    timeout: false,
    resetTimeout: options.resetAfterMs,
    // Opening is decided by the consecutive counter below; opossum's rate check stays inert.
    errorThresholdPercentage: 100,
    volumeThreshold: Number.MAX_SAFE_INTEGER,
    // Filtered errors are not counted; opossum reports them as successes (see below).
    errorFilter: (err: unknown) => classify.isCallerFault(err) || classify.isThrottled(err),
    enableSnapshots: false,
  });
  let consecutiveFailures = 0;
  let timeouts = 0;
  // A filtered error arrives here as the result. A throttle keeps the run of failures as it
  // was, so 429s neither open the breaker nor hide an outage around them.
  breaker.on('success', (result: unknown) => {
    if (!classify.isThrottled(result)) {
      consecutiveFailures = 0;
    }
  });
  breaker.on('failure', () => {
    consecutiveFailures += 1;
    if (breaker.closed && consecutiveFailures >= options.failuresToOpen) {
      breaker.open();
    }
  });

  return {
    integration,
    name,
    async run<T>(attempt: () => Promise<T>): Promise<T> {
      try {
        return (await breaker.fire(attempt)) as T;
      } catch (err) {
        if (CircuitBreaker.isOurError(err as Error)) {
          throw new IntegrationUnavailableError(
            integration,
            `The ${integration} service is unavailable right now (circuit open); try again later.`,
            err,
          );
        }
        throw err;
      }
    },
    recordTimeout() {
      timeouts += 1;
    },
    snapshot() {
      const stats = breaker.stats;
      return {
        integration,
        name,
        state: breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed',
        consecutiveFailures,
        fires: stats.fires,
        successes: stats.successes,
        failures: stats.failures,
        rejects: stats.rejects,
        timeouts,
        latencyMeanMs: stats.latencyMean,
      };
    },
    shutdown() {
      breaker.shutdown();
    },
  };
}
