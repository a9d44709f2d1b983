import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  failureKindOfStatus,
  IntegrationFailure,
  IntegrationRateLimitedError,
  parseRetryAfter,
} from '../../../src/integrations/resilience/integration-errors.ts';
import {
  createIntegration,
  type ResilienceOptions,
} from '../../../src/integrations/resilience/resilient-call.ts';
import { DEFAULT_RATE_LIMIT_WAIT_MS } from '../../../src/integrations/resilience/run-attempt.ts';
import { createIntegrationMetrics } from '../../../src/metrics/integration-metrics.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';

let server: ScriptedHttpServer;

beforeEach(async () => {
  server = await startScriptedHttpServer();
});

afterEach(async () => {
  await server.close();
});

const POLICY: ResilienceOptions = {
  breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
  retry: { retries: 3, baseDelayMs: 2_000, maxDelayMs: 60_000 },
  timeoutMs: 5_000,
};

/** An integration calling the scripted server as an adapter would, with metrics attached. */
function createProbe(policy: ResilienceOptions = POLICY) {
  const delays: number[] = [];
  const registry = new Registry();
  const integration = createIntegration('dns', policy, {
    logger: pino({ level: 'silent' }),
    observer: createIntegrationMetrics(registry, () => []),
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  });
  const get = () =>
    integration.call('probe', async (signal) => {
      const response = await fetch(`${server.url}/probe`, { signal });
      if (!response.ok) {
        throw new IntegrationFailure('dns', `status ${String(response.status)}`, {
          kind: failureKindOfStatus(response.status),
          status: response.status,
          retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
        });
      }
      return response.status;
    });
  const rateLimitedCount = async () => {
    const metric = await registry
      .getSingleMetric('rolerabbit_integration_rate_limited_total')
      ?.get();
    return metric?.values.find((value) => value.labels.integration === 'dns')?.value ?? 0;
  };
  return { integration, get, delays, rateLimitedCount };
}

const tooLong = { status: 429, headers: { 'retry-after': '300' } } as const;

describe('429 answers (rate limits)', () => {
  it('waits out a Retry-After that fits the attempt and sends again within it', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '1' } }, { status: 200 });
    const { integration, get, delays, rateLimitedCount } = createProbe();

    await expect(get()).resolves.toBe(200);

    expect(delays).toEqual([1_000]);
    expect(server.requests).toHaveLength(2);
    expect(integration.breaker.snapshot().consecutiveFailures).toBe(0);
    expect(await rateLimitedCount()).toBe(1);
  });

  it('fails at once, without retrying, saying until when, when the wait does not fit', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '7' } }, { status: 200 });
    const { get, delays } = createProbe();
    const before = Date.now();

    const failure = await get().catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(IntegrationRateLimitedError);
    expect(failure).toMatchObject({ kind: 'retryable', fromVendor: true, integration: 'dns' });
    const { blockedUntil } = failure as IntegrationRateLimitedError;
    expect(blockedUntil).toBeGreaterThanOrEqual(before + 7_000);
    expect(blockedUntil).toBeLessThan(Date.now() + 7_000 + 1_000);
    expect(server.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('holds off for a default time after a 429 without Retry-After', async () => {
    server.enqueue({ status: 429 });
    const { get } = createProbe();
    const before = Date.now();

    const failure = (await get().catch((err: unknown) => err)) as IntegrationRateLimitedError;

    expect(failure.blockedUntil).toBeGreaterThanOrEqual(before + DEFAULT_RATE_LIMIT_WAIT_MS);
  });

  it('keeps the breaker closed through ten 429s in a row, counting each one', async () => {
    server.setFallback(tooLong);
    const { integration, get, rateLimitedCount } = createProbe();

    for (let call = 0; call < 10; call += 1) {
      await expect(get()).rejects.toBeInstanceOf(IntegrationRateLimitedError);
    }

    expect(integration.breaker.snapshot()).toMatchObject({ state: 'closed', failures: 0 });
    expect(integration.breaker.snapshot().consecutiveFailures).toBe(0);
    expect(server.requests).toHaveLength(10);
    expect(await rateLimitedCount()).toBe(10);
  });

  it('neither counts nor forgives: 503s on both sides of a 429 still open the breaker', async () => {
    const { integration, get } = createProbe({ ...POLICY, retry: { ...POLICY.retry, retries: 0 } });
    const failing = { status: 503 } as const;
    server.enqueue(failing, failing, failing, failing, tooLong, failing);

    for (let call = 0; call < 5; call += 1) {
      await get().catch(() => undefined);
    }
    const afterThrottle = integration.breaker.snapshot();
    await get().catch(() => undefined);

    expect(afterThrottle).toMatchObject({ state: 'closed', consecutiveFailures: 4 });
    expect(integration.breaker.snapshot().state).toBe('open');
  });
});
