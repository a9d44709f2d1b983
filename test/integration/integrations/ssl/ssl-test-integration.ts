import { pino } from 'pino';

import { createIntegration } from '../../../../src/integrations/resilience/resilient-call.ts';

/** The `ssl` integration's call with the policy the brief fixes for these tests. */
export function createSslCall() {
  return createIntegration(
    'ssl',
    {
      breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
      retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 1_000 },
      timeoutMs: 60_000,
    },
    { logger: pino({ level: 'silent' }) },
  );
}
