import { AppError } from '../../errors/app-error.ts';
import {
  IntegrationFailure,
  type IntegrationName,
  IntegrationRateLimitedError,
  IntegrationTimeoutError,
} from './integration-errors.ts';
import type { Sleep } from './retry-policy.ts';

/** How long callers hold off after a 429 that named no Retry-After. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;
/**
 * The longest hold-off we accept from a vendor; a larger Retry-After is cut to this. Below
 * the 15 minutes after which an idle deployment counts as abandoned.
 */
export const MAX_RATE_LIMIT_WAIT_MS = 10 * 60_000;
/** Waits inside one attempt before it gives up and fails as rate limited. */
const MAX_WAITS = 2;

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export interface RunAttemptOptions {
  readonly integration: IntegrationName;
  /** Budget of the attempt: the signal aborts and the attempt fails when it runs out. */
  readonly timeoutMs: number;
  readonly sleep: Sleep;
  /** Told of every 429 the vendor answered (not of blocks we already knew about). */
  readonly onRateLimited?: () => void;
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Our own errors pass through; anything else from a vendor call becomes a failure. */
function normalise(integration: IntegrationName, err: unknown): Error {
  if (err instanceof IntegrationFailure || err instanceof AppError) {
    return err;
  }
  const code = errorCode(err) ?? errorCode((err as { cause?: unknown } | null)?.cause);
  const reason = err instanceof Error ? err.message : String(err);
  const network =
    code !== undefined && (NETWORK_ERROR_CODES.has(code) || code.startsWith('UND_ERR'));
  return new IntegrationFailure(
    integration,
    `${integration} call failed${network ? ` (${code})` : ''}: ${reason}`,
    { kind: 'retryable', cause: err },
  );
}

interface RateLimit {
  /** How long the vendor asked us to wait, when it said. */
  readonly waitMs: number | undefined;
  readonly fromVendor: boolean;
}

/**
 * A retryable 429 from an adapter, or a block an adapter already knew about. A 429 an adapter
 * classified as `rejected` (a used-up quota it handles itself) is not a wait.
 */
function readRateLimit(err: unknown, now: number): RateLimit | undefined {
  if (err instanceof IntegrationRateLimitedError) {
    return { waitMs: Math.max(0, err.blockedUntil - now), fromVendor: err.fromVendor };
  }
  if (err instanceof IntegrationFailure && err.status === 429 && err.kind === 'retryable') {
    return { waitMs: err.retryAfterMs, fromVendor: true };
  }
  return undefined;
}

/**
 * One attempt under its own timeout. A 429 whose Retry-After ends before the attempt's
 * deadline is waited out and the request sent again within the same attempt; otherwise the
 * attempt fails with IntegrationRateLimitedError, saying until when to hold off.
 */
export async function runAttempt<T>(
  options: RunAttemptOptions,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { integration, timeoutMs } = options;
  const controller = new AbortController();
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new IntegrationTimeoutError(integration, timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  /** How long to wait before sending again within this attempt; throws when it may not. */
  const waitBeforeResending = (err: unknown, waits: number): number => {
    if (controller.signal.aborted) {
      throw controller.signal.reason as Error;
    }
    const now = Date.now();
    const limit = readRateLimit(err, now);
    if (limit === undefined) {
      throw normalise(integration, err);
    }
    if (limit.fromVendor) {
      options.onRateLimited?.();
    }
    if (limit.waitMs !== undefined && now + limit.waitMs < deadline && waits < MAX_WAITS) {
      return limit.waitMs;
    }
    const waitMs = Math.min(limit.waitMs ?? DEFAULT_RATE_LIMIT_WAIT_MS, MAX_RATE_LIMIT_WAIT_MS);
    throw new IntegrationRateLimitedError(
      integration,
      `${integration} is rate limited for another ${String(Math.ceil(waitMs / 1000))} s`,
      { blockedUntil: now + waitMs, fromVendor: limit.fromVendor, cause: err },
    );
  };
  try {
    for (let waits = 0; ; waits += 1) {
      try {
        // The race settles at the deadline even if the attempt ignores its signal.
        return await Promise.race([attempt(controller.signal), timedOut]);
      } catch (err) {
        await Promise.race([options.sleep(waitBeforeResending(err, waits)), timedOut]);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
