import { pino } from 'pino';

import {
  createIntegration,
  type ResilienceOptions,
} from '../../../../src/integrations/resilience/resilient-call.ts';

/** The email integration's call with fast retries and a sleep that only records its delays. */
export function createEmailCall(overrides: Partial<ResilienceOptions> = {}) {
  const delays: number[] = [];
  const integration = createIntegration(
    'email',
    {
      breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
      retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 1000 },
      timeoutMs: 3000,
      ...overrides,
    },
    {
      logger: pino({ level: 'silent' }),
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    },
  );
  return { call: integration.call, breaker: integration.breaker, delays };
}
