import { UnavailableError } from '../../errors/app-error.ts';

/** Every external dependency we call, by the name used in config, logs and metrics. */
export const INTEGRATION_NAMES = [
  'storage',
  'dns',
  'ssl',
  'geolocation',
  'email',
  'webhooks',
] as const;
export type IntegrationName = (typeof INTEGRATION_NAMES)[number];

/**
 * How a failed attempt is treated. `retryable`: the vendor or network failed (5xx, 429,
 * timeout, reset) and a later attempt may work; it counts against the breaker.
 * `rejected`: the request itself is wrong (4xx, validation); never retried, never counted.
 */
export type FailureKind = 'retryable' | 'rejected';

export interface IntegrationFailureOptions {
  readonly kind: FailureKind;
  /** The vendor's HTTP status, when there was one. */
  readonly status?: number | undefined;
  /** A server-requested wait (Retry-After), which the retry honours. */
  readonly retryAfterMs?: number | undefined;
  readonly cause?: unknown;
}

/** What adapters throw for a failed vendor call, already classified. */
export class IntegrationFailure extends Error {
  override readonly name: string = 'IntegrationFailure';
  readonly integration: IntegrationName;
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(integration: IntegrationName, message: string, options: IntegrationFailureOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.integration = integration;
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The integration did not answer within its per-attempt budget (the request was aborted). */
export class IntegrationTimeoutError extends IntegrationFailure {
  constructor(integration: IntegrationName, timeoutMs: number, cause?: unknown) {
    super(integration, `${integration} did not answer within ${String(timeoutMs)} ms`, {
      kind: 'retryable',
      cause,
    });
  }
}

/**
 * The vendor said "wait" (HTTP 429), or our shared record says it did, and the wait did not
 * fit the attempt. Retryable but not a vendor failure: the breaker does not count it and the
 * call is not retried in-process; a job meeting it is delayed until `blockedUntil` instead.
 */
export class IntegrationRateLimitedError extends IntegrationFailure {
  override readonly name: string = 'IntegrationRateLimitedError';
  /** Epoch milliseconds before which calling again is pointless. */
  readonly blockedUntil: number;
  /** True for a 429 answer; false when the block was already recorded (no request was sent). */
  readonly fromVendor: boolean;

  constructor(
    integration: IntegrationName,
    message: string,
    options: { readonly blockedUntil: number; readonly fromVendor: boolean; cause?: unknown },
  ) {
    super(integration, message, {
      kind: 'retryable',
      status: 429,
      retryAfterMs: Math.max(0, options.blockedUntil - Date.now()),
      cause: options.cause,
    });
    this.blockedUntil = options.blockedUntil;
    this.fromVendor = options.fromVendor;
  }
}

/**
 * When the error, or an error it was caused by, is a rate limit still in force: the epoch
 * milliseconds until which callers should hold off; otherwise undefined.
 */
export function findBlockedUntil(err: unknown, now = Date.now()): number | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 10 && current instanceof Error; depth += 1) {
    if (current instanceof IntegrationRateLimitedError) {
      return current.blockedUntil > now ? current.blockedUntil : undefined;
    }
    current = current.cause;
  }
  return undefined;
}

/** The breaker is open, or retries ran out: callers may try again later. */
export class IntegrationUnavailableError extends UnavailableError {
  override readonly name: string = 'IntegrationUnavailableError';
  readonly integration: IntegrationName;

  constructor(integration: IntegrationName, message: string, cause?: unknown) {
    super('dependency.unavailable', message, { cause });
    this.integration = integration;
  }
}

/**
 * Classifies an HTTP status from a vendor: 408, 425, 429 and 5xx are worth retrying; other
 * 4xx mean our request is wrong and retrying cannot help.
 */
export function failureKindOfStatus(status: number): FailureKind {
  return status === 408 || status === 425 || status === 429 || status >= 500
    ? 'retryable'
    : 'rejected';
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') {
    return undefined;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return Math.round(seconds * 1000);
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How users read each integration's name in an error message. */
const PUBLIC_NAMES: Readonly<Record<IntegrationName, string>> = {
  storage: 'file storage',
  dns: 'DNS',
  ssl: 'certificate',
  geolocation: 'geolocation',
  email: 'email',
  webhooks: 'webhook delivery',
};

const PUBLIC_SENTENCES = {
  unavailable: 'is unavailable right now',
  failed: 'failed to complete the request',
  rejected: 'refused the request',
  rate_limited: 'asked us to slow down; the work continues when it allows',
} as const;

export type IntegrationOutcomeCode = `${IntegrationName}.${keyof typeof PUBLIC_SENTENCES}`;

const OUTCOME_CODE = new RegExp(
  `^(${INTEGRATION_NAMES.join('|')})\\.(${Object.keys(PUBLIC_SENTENCES).join('|')})$`,
);

/**
 * The sentence a user reads for an integration outcome code such as `dns.failed`, or undefined
 * for any other code (R-SEC-7). Fixed per code: vendor replies, hosts and addresses stay in
 * the logs. Also applied when reading rows stored before the rule.
 */
export function publicIntegrationMessage(code: string): string | undefined {
  const match = OUTCOME_CODE.exec(code);
  if (match === null) {
    return undefined;
  }
  const name = match[1] as IntegrationName;
  const outcome = match[2] as keyof typeof PUBLIC_SENTENCES;
  return `The ${PUBLIC_NAMES[name]} service ${PUBLIC_SENTENCES[outcome]}.`;
}

/** The outcome code of a failed or unavailable integration call. */
export function integrationOutcomeCode(
  err: IntegrationFailure | IntegrationUnavailableError,
): IntegrationOutcomeCode {
  if (err instanceof IntegrationUnavailableError) {
    return `${err.integration}.unavailable`;
  }
  return `${err.integration}.${err.kind === 'retryable' ? 'failed' : 'rejected'}`;
}
