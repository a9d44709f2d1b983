import type { z } from 'zod';

import { IntegrationFailure } from '../resilience/integration-errors.ts';
import { requestVendorJson } from '../vendor-http/request-vendor.ts';

/** How long a provider sits out after saying its plan's quota is used up. */
export const QUOTA_COOL_DOWN_MS = 60 * 60 * 1000;
/** How long a provider sits out after a plain 429 without Retry-After. */
export const RATE_LIMIT_COOL_DOWN_MS = 5 * 60 * 1000;

/**
 * A provider refused because our plan's quota or rate limit is used up. It is `rejected`
 * rather than `retryable`: retrying within seconds cannot help, and the vendor is healthy,
 * so its breaker should not count it. `retryAfterMs` tells the failover how long to skip
 * this provider (a pause shared through Redis).
 */
export function quotaExhausted(
  provider: string,
  detail: string,
  retryAfterMs: number,
  cause?: unknown,
): IntegrationFailure {
  return new IntegrationFailure('geolocation', `${provider} quota exhausted: ${detail}`, {
    kind: 'rejected',
    status: 429,
    retryAfterMs,
    cause,
  });
}

/**
 * A provider's JSON request in which HTTP 429 means "our plan is throttled: skip this
 * provider for a while", not a vendor outage.
 */
export async function requestProviderJson<T>(
  provider: string,
  url: string,
  signal: AbortSignal,
  schema: z.ZodType<T>,
): Promise<T> {
  try {
    return await requestVendorJson('geolocation', url, { signal }, schema);
  } catch (err) {
    if (err instanceof IntegrationFailure && err.status === 429) {
      throw quotaExhausted(provider, err.message, err.retryAfterMs ?? RATE_LIMIT_COOL_DOWN_MS, err);
    }
    throw err;
  }
}
