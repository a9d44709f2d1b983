import { pino } from 'pino';

import {
  createIntegration,
  type Integration,
  type ResilienceOptions,
} from '../../../../src/integrations/resilience/resilient-call.ts';

export const silentLogger = pino({ level: 'silent' });

export const GOOGLE_DNS = '8.8.8.8';
export const CLOUDFLARE_DNS = '1.1.1.1';
export const GOOGLE_DNS_V6 = '2001:4860:4860::8888';

/** The policy the brief prescribes for tests: no retries, a breaker that opens at 5. */
export function createGeolocationIntegration(
  overrides: Partial<ResilienceOptions> = {},
): Integration {
  return createIntegration(
    'geolocation',
    {
      breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
      retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 100 },
      timeoutMs: 2_000,
      ...overrides,
    },
    { logger: silentLogger },
  );
}
