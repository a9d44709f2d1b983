import { setTimeout as sleep } from 'node:timers/promises';

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  failureKindOfStatus,
  IntegrationFailure,
  IntegrationTimeoutError,
  IntegrationUnavailableError,
  parseRetryAfter,
} from '../../../src/integrations/resilience/integration-errors.ts';
import {
  createIntegration,
  type ResilienceOptions,
} from '../../../src/integrations/resilience/resilient-call.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';

const logger = pino({ level: 'silent' });

let server: ScriptedHttpServer;

beforeEach(async () => {
  server = await startScriptedHttpServer();
});

afterEach(async () => {
  await server.close();
});

function options(overrides: Partial<ResilienceOptions> = {}): ResilienceOptions {
  return {
    breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
    retry: { retries: 0, baseDelayMs: 2_000, maxDelayMs: 60_000 },
    timeoutMs: 5_000,
    ...overrides,
  };
}

/** The integration under test, calling the scripted server the way an adapter would. */
function createProbe(resilience: ResilienceOptions) {
  const delays: number[] = [];
  const integration = createIntegration('webhooks', resilience, {
    logger,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  });
  const get = () =>
    integration.call('probe', async (signal) => {
      const response = await fetch(`${server.url}/probe`, { signal });
      if (!response.ok) {
        throw new IntegrationFailure('webhooks', `status ${String(response.status)}`, {
          kind: failureKindOfStatus(response.status),
          status: response.status,
          retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
        });
      }
      return response.status;
    });
  return { integration, get, delays };
}

describe('circuit breaker (R-INT-6)', () => {
  it('opens on the 5th consecutive failure and not before', async () => {
    server.setFallback({ status: 503 });
    const { integration, get } = createProbe(options());

    for (let call = 1; call <= 4; call += 1) {
      await expect(get()).rejects.toBeInstanceOf(IntegrationUnavailableError);
      expect(integration.breaker.snapshot().state).toBe('closed');
    }
    await expect(get()).rejects.toBeInstanceOf(IntegrationUnavailableError);

    expect(integration.breaker.snapshot()).toMatchObject({ state: 'open', failures: 5 });
    expect(server.requests).toHaveLength(5);
  });

  it('rejects at once while open, without calling the vendor, naming the integration', async () => {
    server.setFallback({ status: 500 });
    const { integration, get } = createProbe(options());
    for (let call = 0; call < 5; call += 1) {
      await get().catch(() => undefined);
    }

    const rejection = await get().catch((err: unknown) => err);

    expect(rejection).toBeInstanceOf(IntegrationUnavailableError);
    expect((rejection as IntegrationUnavailableError).integration).toBe('webhooks');
    expect((rejection as IntegrationUnavailableError).code).toBe('dependency.unavailable');
    expect(server.requests).toHaveLength(5);
    expect(integration.breaker.snapshot().rejects).toBe(1);
  });

  it('lets one trial through after the reset time and closes on its success', async () => {
    server.setFallback({ status: 500 });
    const { integration, get } = createProbe(
      options({ breaker: { failuresToOpen: 5, resetAfterMs: 100 } }),
    );
    for (let call = 0; call < 5; call += 1) {
      await get().catch(() => undefined);
    }
    server.setFallback({ status: 200 });
    await sleep(150);
    expect(integration.breaker.snapshot().state).toBe('half-open');

    const [trial, concurrent] = await Promise.allSettled([get(), get()]);

    expect(trial).toEqual({ status: 'fulfilled', value: 200 });
    expect(concurrent.status).toBe('rejected');
    expect(server.requests).toHaveLength(6);
    expect(integration.breaker.snapshot().state).toBe('closed');
  });

  it('does not count caller faults (4xx) towards opening', async () => {
    server.setFallback({ status: 422 });
    const { integration, get } = createProbe(options());

    for (let call = 0; call < 7; call += 1) {
      await get().catch(() => undefined);
    }

    expect(integration.breaker.snapshot()).toMatchObject({ state: 'closed', failures: 0 });
    expect(server.requests).toHaveLength(7);
  });

  it('keeps a caller fault a caller fault when it lands while the breaker is open', async () => {
    const { integration, get } = createProbe(
      options({ breaker: { failuresToOpen: 1, resetAfterMs: 30_000 } }),
    );
    server.enqueue({ status: 404, delayMs: 150 }, { status: 500 });

    const slowNotFound = get().catch((err: unknown) => err);
    await sleep(20);
    await get().catch(() => undefined);

    expect(integration.breaker.snapshot().state).toBe('open');
    const failure = await slowNotFound;
    expect(failure).toBeInstanceOf(IntegrationFailure);
    expect((failure as IntegrationFailure).kind).toBe('rejected');
  });

  it('reports a mean latency once calls have run', async () => {
    const { integration, get } = createProbe(options());

    await get();

    expect(integration.breaker.snapshot().latencyMeanMs).toBeGreaterThanOrEqual(0);
  });

  it('starts counting again after a success', async () => {
    const { integration, get } = createProbe(options());
    server.enqueue(...Array.from({ length: 4 }, () => ({ status: 500 })), { status: 200 });
    server.enqueue(...Array.from({ length: 4 }, () => ({ status: 500 })));

    for (let call = 0; call < 9; call += 1) {
      await get().catch(() => undefined);
    }

    expect(integration.breaker.snapshot()).toMatchObject({
      state: 'closed',
      consecutiveFailures: 4,
    });
  });
});

describe('per-attempt timeout (R-INT-7)', () => {
  it('aborts the underlying request, which the server sees closed', async () => {
    server.setFallback({ hang: true });
    const { integration, get } = createProbe(options({ timeoutMs: 100 }));

    const failure = await get().catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(IntegrationUnavailableError);
    expect((failure as Error).cause).toBeInstanceOf(IntegrationTimeoutError);
    await expect(server.requests[0]?.closedByClient).resolves.toBeUndefined();
    expect(integration.breaker.snapshot().timeouts).toBe(1);
  });

  it('gives up an attempt at its timeout, not later', async () => {
    server.setFallback({ hang: true });
    const { get } = createProbe(options({ timeoutMs: 300 }));
    const startedAt = performance.now();

    const failure = await get().catch((err: unknown) => err);

    const elapsedMs = performance.now() - startedAt;
    expect((failure as Error).cause).toBeInstanceOf(IntegrationTimeoutError);
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    // Generous for a busy machine, yet short of what a timer even 4× too long would take.
    expect(elapsedMs).toBeLessThan(1_200);
  });

  it('gives every attempt a fresh signal, so a retry after a timeout can succeed', async () => {
    server.enqueue({ hang: true }, { status: 200 });
    const { get } = createProbe(
      options({ timeoutMs: 100, retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 1_000 } }),
    );

    await expect(get()).resolves.toBe(200);
    expect(server.requests).toHaveLength(2);
  });
});

describe('retry (R-INT-8)', () => {
  const retrying = () => options({ retry: { retries: 3, baseDelayMs: 2_000, maxDelayMs: 60_000 } });

  it('retries vendor failures with delays doubling from the base', async () => {
    server.enqueue({ status: 500 }, { status: 502 }, { status: 503 }, { status: 200 });
    const { get, delays } = createProbe(retrying());

    await expect(get()).resolves.toBe(200);

    expect(delays).toEqual([2_000, 4_000, 8_000]);
    expect(server.requests).toHaveLength(4);
  });

  it('gives up after 3 retries with an unavailable error', async () => {
    server.setFallback({ status: 500 });
    const { get, delays } = createProbe(retrying());

    await expect(get()).rejects.toBeInstanceOf(IntegrationUnavailableError);

    expect(server.requests).toHaveLength(4);
    expect(delays).toEqual([2_000, 4_000, 8_000]);
  });

  it('tries a 404 once', async () => {
    server.setFallback({ status: 404 });
    const { get, delays } = createProbe(retrying());

    const failure = await get().catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(IntegrationFailure);
    expect((failure as IntegrationFailure).kind).toBe('rejected');
    expect(server.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('does not retry while the breaker is open', async () => {
    server.setFallback({ status: 500 });
    const { get, delays } = createProbe(
      options({
        breaker: { failuresToOpen: 2, resetAfterMs: 30_000 },
        retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 1_000 },
      }),
    );

    await expect(get()).rejects.toBeInstanceOf(IntegrationUnavailableError);

    expect(server.requests).toHaveLength(2);
    expect(delays).toEqual([10]);
  });
});
