import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestContext, type TestContext } from '../../support/test-context.ts';

interface ReadinessBody {
  readonly status: string;
  readonly checks: Record<string, { ok: boolean; error?: string }>;
}

let healthy: TestContext;
let withoutRedis: TestContext;

beforeAll(async () => {
  healthy = await createTestContext();
  // Port 1 on loopback: nothing listens there, so every connection is refused.
  withoutRedis = await createTestContext({ REDIS_URL: 'redis://127.0.0.1:1' });
});

afterAll(async () => {
  await Promise.all([healthy.close(), withoutRedis.close()]);
});

describe('health and readiness', () => {
  it('answers /healthz while the process is up', async () => {
    const response = await withoutRedis.request<{ status: string }>('GET', '/healthz');

    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });

  it('is ready when PostgreSQL and Redis both answer', async () => {
    const response = await healthy.request<ReadinessBody>('GET', '/readyz');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ready',
      checks: { postgres: { ok: true }, redis: { ok: true } },
    });
  });

  it('turns 503 and names Redis when Redis is unreachable', async () => {
    const response = await withoutRedis.request<ReadinessBody>('GET', '/readyz');

    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body.status).toBe('unavailable');
    expect(response.body.checks.postgres).toEqual({ ok: true });
    expect(response.body.checks.redis?.ok).toBe(false);
  });

  it('keeps serving API requests while Redis is unreachable', async () => {
    const user = await withoutRedis.createUser();

    const response = await withoutRedis.request('GET', '/api/portfolios', { token: user.token });

    expect(response.status).toBe(200);
  });
});
