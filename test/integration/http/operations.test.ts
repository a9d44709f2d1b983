import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { INTEGRATION_NAMES } from '../../../src/integrations/resilience/integration-errors.ts';
import type { ProblemBody } from '../../support/api-bodies.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';

interface BreakerBody {
  readonly integration: string;
  readonly name: string;
  readonly state: string;
}

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ GEOLOCATION_PROVIDERS: 'ipapi' });
});

afterAll(async () => {
  await ctx.close();
});

describe('operations endpoints (R-INT-6, R-JOB-14)', () => {
  it('exports a breaker state series for every integration at /metrics', async () => {
    const response = await ctx.request<string>('GET', '/metrics');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    for (const name of INTEGRATION_NAMES.filter((n) => n !== 'webhooks')) {
      expect(response.body).toMatch(
        new RegExp(`rolerabbit_breaker_state\\{[^}]*integration="${name}"[^}]*\\} 0`),
      );
    }
    expect(response.body).toContain('breaker="geolocation:ipapi"');
    expect(response.body).toContain('rolerabbit_webhook_target_breakers{state="open"');
    expect(response.body).toContain('rolerabbit_process_cpu_seconds_total');
  });

  it('counts integration attempts by outcome', async () => {
    const storage = ctx.deps.adapters.storage;
    await storage.ensureBuckets();
    await storage.putObject({
      bucket: 'exports',
      key: 'metrics-probe.txt',
      body: Buffer.from('x'),
      contentType: 'text/plain',
    });

    const response = await ctx.request<string>('GET', '/metrics');

    expect(response.body).toMatch(
      /rolerabbit_integration_attempts_total\{[^}]*integration="storage"[^}]*outcome="success"[^}]*\} [1-9]/,
    );
  });

  it('shows admins every breaker and refuses other users with 403', async () => {
    const admin = await ctx.createUser({ role: ctx.config.auth.adminRole });
    const user = await ctx.createUser();

    const allowed = await ctx.request<{
      data: BreakerBody[];
      drivers: Record<string, string>;
    }>('GET', '/api/admin/integrations', { token: admin.token });
    const refused = await ctx.request<ProblemBody>('GET', '/api/admin/integrations', {
      token: user.token,
    });

    expect(allowed.status).toBe(200);
    expect(allowed.body.data.map((breaker) => breaker.name)).toEqual(
      expect.arrayContaining([
        'storage',
        'dns',
        'ssl',
        'geolocation',
        'email',
        'geolocation:ipapi',
      ]),
    );
    expect(allowed.body.data.every((breaker) => breaker.state === 'closed')).toBe(true);
    expect(allowed.body.drivers).toEqual({
      storage: 'local',
      dns: 'local',
      ssl: 'local',
      geolocation: 'ipapi → offline',
      email: 'outbox',
      webhooks: 'http',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('auth.forbidden');
  });

  it('serves a signed storage link from the API, and refuses it once tampered', async () => {
    const storage = ctx.deps.adapters.storage;
    await storage.ensureBuckets();
    await storage.putObject({
      bucket: 'exports',
      key: 'reports/hello.txt',
      body: Buffer.from('hello export'),
      contentType: 'text/plain',
    });
    const signed = new URL(await storage.createSignedUrl('exports', 'reports/hello.txt', 60));

    const served = await ctx.app.request(`${signed.pathname}${signed.search}`);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe('hello export');

    const signature = signed.searchParams.get('signature') ?? '';
    signed.searchParams.set(
      'signature',
      `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
    );
    const tampered = await ctx.app.request(`${signed.pathname}${signed.search}`);

    expect(tampered.status).toBe(403);
  });

  it('answers ACME HTTP-01 challenges from the shared store', async () => {
    await ctx.deps.adapters.acmeChallenges.set('token-abcdefghijkl', 'token-abcdefghijkl.thumb');

    const response = await ctx.app.request('/.well-known/acme-challenge/token-abcdefghijkl');

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('token-abcdefghijkl.thumb');
    await ctx.deps.adapters.acmeChallenges.remove('token-abcdefghijkl');
  });
});
