import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildResilienceConfig, resilienceEnvShape } from './resilience-env.ts';

const schema = z.object(resilienceEnvShape);

function build(env: Record<string, string>) {
  return buildResilienceConfig(schema.parse(env));
}

/** The documented policy (README "Integrations", R-INT-6..8). */
const BREAKER = { failuresToOpen: 5, resetAfterMs: 30_000 };
const RETRY = { retries: 3, baseDelayMs: 2_000, maxDelayMs: 60_000 };

describe(buildResilienceConfig.name, () => {
  it('builds the documented policy from an empty environment (R-INT-6, R-INT-7, R-INT-8)', () => {
    const { config, problems } = build({});

    expect(problems).toEqual([]);
    expect(config).toEqual({
      storage: { breaker: BREAKER, retry: RETRY, timeoutMs: 60_000 },
      dns: { breaker: BREAKER, retry: RETRY, timeoutMs: 10_000 },
      ssl: { breaker: BREAKER, retry: RETRY, timeoutMs: 120_000 },
      geolocation: { breaker: BREAKER, retry: { ...RETRY, retries: 0 }, timeoutMs: 5_000 },
      email: { breaker: BREAKER, retry: RETRY, timeoutMs: 30_000 },
      webhooks: { breaker: BREAKER, retry: RETRY, timeoutMs: 10_000 },
    });
  });

  it('applies each variable to the policies it governs', () => {
    const { config } = build({
      BREAKER_FAILURES_TO_OPEN: '7',
      BREAKER_RESET_MS: '1000',
      RETRY_COUNT: '1',
      RETRY_BASE_DELAY_MS: '100',
      RETRY_MAX_DELAY_MS: '400',
      GEOLOCATION_RETRY_COUNT: '2',
      DNS_TIMEOUT_MS: '1500',
      WEBHOOK_TIMEOUT_MS: '2500',
    });

    expect(config.dns).toEqual({
      breaker: { failuresToOpen: 7, resetAfterMs: 1000 },
      retry: { retries: 1, baseDelayMs: 100, maxDelayMs: 400 },
      timeoutMs: 1500,
    });
    expect(config.webhooks.timeoutMs).toBe(2500);
    expect(config.geolocation.retry.retries).toBe(2);
    expect(config.storage.timeoutMs).toBe(60_000);
  });

  it('reports a maximum delay below the base delay', () => {
    const { problems } = build({ RETRY_BASE_DELAY_MS: '5000', RETRY_MAX_DELAY_MS: '1000' });

    expect(problems).toEqual([
      { variable: 'RETRY_MAX_DELAY_MS', message: 'must be at least RETRY_BASE_DELAY_MS' },
    ]);
  });

  it.each(['BREAKER_FAILURES_TO_OPEN', 'DNS_TIMEOUT_MS', 'RETRY_COUNT'])(
    'refuses a non-numeric %s',
    (variable) => {
      const result = schema.safeParse({ [variable]: 'soon' });

      expect(result.error?.issues.map((issue) => issue.path[0])).toEqual([variable]);
    },
  );
});
