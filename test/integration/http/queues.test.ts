import { randomBytes } from 'node:crypto';

import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ProblemBody } from '../../support/api-bodies.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';

interface QueueCountsBody {
  readonly queue: string;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
  readonly completed: number;
}

const prefix = `rr-test-${randomBytes(4).toString('hex')}`;
let ctx: TestContext;
let webhooks: Queue;

beforeAll(async () => {
  ctx = await createTestContext({ JOBS_QUEUE_PREFIX: prefix });
  webhooks = new Queue('webhooks', { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  await webhooks.add('webhook.deliver', { deliveryId: '00000000-0000-4000-8000-000000000001' });
  await webhooks.add(
    'webhook.deliver',
    { deliveryId: '00000000-0000-4000-8000-000000000002' },
    { delay: 60_000 },
  );
});

afterAll(async () => {
  await webhooks.obliterate({ force: true });
  await webhooks.close();
  await ctx.close();
});

describe('queue monitoring (R-JOB-14)', () => {
  it('shows admins the jobs of every queue by state and refuses other users', async () => {
    const admin = await ctx.createUser({ role: ctx.config.auth.adminRole });
    const user = await ctx.createUser();

    const allowed = await ctx.request<{ data: QueueCountsBody[] }>('GET', '/api/admin/queues', {
      token: admin.token,
    });
    const refused = await ctx.request<ProblemBody>('GET', '/api/admin/queues', {
      token: user.token,
    });

    expect(allowed.status).toBe(200);
    expect(allowed.body.data.map((queue) => queue.queue).sort()).toEqual([
      'deployments',
      'pdf',
      'webhooks',
    ]);
    expect(allowed.body.data.find((queue) => queue.queue === 'webhooks')).toMatchObject({
      waiting: 1,
      delayed: 1,
      active: 0,
    });
    expect(refused.status).toBe(403);
  });

  it('exports the same counts at /metrics', async () => {
    const response = await ctx.request<string>('GET', '/metrics');

    expect(response.body).toMatch(
      /rolerabbit_queue_jobs\{queue="webhooks",state="waiting"[^}]*\} 1/,
    );
    expect(response.body).toMatch(
      /rolerabbit_queue_jobs\{queue="webhooks",state="delayed"[^}]*\} 1/,
    );
    expect(response.body).toMatch(/rolerabbit_queue_jobs\{queue="pdf",state="waiting"[^}]*\} 0/);
  });
});

describe('queue dashboard at /admin/queues (R-JOB-14)', () => {
  it('serves Bull Board to an admin bearer token, with its API over our queues', async () => {
    const admin = await ctx.createUser({ role: ctx.config.auth.adminRole });

    const page = await ctx.request<string>('GET', '/admin/queues', { token: admin.token });
    const api = await ctx.request<{ queues: { name: string; counts: Record<string, number> }[] }>(
      'GET',
      '/admin/queues/api/queues',
      { token: admin.token },
    );

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('RoleRabbit queues');
    // Its scripts and styles come from the installed package, below the same guarded path.
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.body)?.[1] ?? 'missing';
    const asset = await ctx.request<string>('GET', `/admin/queues/${script}`, {
      token: admin.token,
    });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(api.status).toBe(200);
    expect(api.body.queues.map((queue) => queue.name).sort()).toEqual([
      'deployments',
      'pdf',
      'webhooks',
    ]);
    const webhooksQueue = api.body.queues.find((queue) => queue.name === 'webhooks');
    expect(webhooksQueue?.counts).toMatchObject({ waiting: 1, delayed: 1 });
  });

  it('refuses anonymous callers and non-admins, on the page, its assets and its API', async () => {
    const user = await ctx.createUser();
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/x.js']) {
      const anonymous = await ctx.request<ProblemBody>('GET', path);
      const member = await ctx.request<ProblemBody>('GET', path, { token: user.token });
      expect([path, anonymous.status]).toEqual([path, 401]);
      expect([path, member.status]).toEqual([path, 403]);
    }
  });

  it('answers a missing dashboard asset with 404, not 405 (issue 8, fault 13)', async () => {
    const admin = await ctx.createUser({ role: ctx.config.auth.adminRole });

    const missing = await ctx.request<ProblemBody>('GET', '/admin/queues/static/js/missing.js', {
      token: admin.token,
    });
    const headMissing = await ctx.request('HEAD', '/admin/queues/static/js/missing.js', {
      token: admin.token,
    });

    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.body.code).toBe('route.not_found');
    expect(missing.headers.get('allow')).toBeNull();
    expect(headMissing.status).toBe(404);
  });

  it('refuses a dashboard body over the limit before reading it (issue 8, fault 13)', async () => {
    const admin = await ctx.createUser({ role: ctx.config.auth.adminRole });
    const oversize = JSON.stringify({ pad: 'x'.repeat(ctx.config.http.bodyLimitBytes) });

    const response = await ctx.request<ProblemBody>(
      'PUT',
      '/admin/queues/api/queues/webhooks/pause',
      { token: admin.token, body: oversize },
    );
    const paused = await webhooks.isPaused();

    expect(response.status).toBe(413);
    expect(response.body.code).toBe('request.too_large');
    expect(paused).toBe(false);
  });

  it('lets an admin open a cookie session for the browser, scoped to the dashboard', async () => {
    const admin = await ctx.createUser({ role: ctx.config.auth.adminRole });
    const user = await ctx.createUser();

    const session = await ctx.request('POST', '/api/admin/queue-dashboard/session', {
      token: admin.token,
    });
    const cookie = session.headers.get('set-cookie') ?? '';
    const viaCookie = await ctx.request<string>('GET', '/admin/queues', {
      headers: { cookie: cookie.split(';')[0] ?? '' },
    });
    const refusedSession = await ctx.request('POST', '/api/admin/queue-dashboard/session', {
      token: user.token,
    });
    const memberCookie = await ctx.request('GET', '/admin/queues', {
      headers: { cookie: `rr_queue_dashboard=${user.token}` },
    });
    const forgedCookie = await ctx.request('GET', '/admin/queues', {
      headers: { cookie: 'rr_queue_dashboard=not.a.jwt' },
    });

    expect(session.status).toBe(204);
    expect(cookie).toMatch(/^rr_queue_dashboard=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/admin/queues');
    expect(viaCookie.status).toBe(200);
    expect(refusedSession.status).toBe(403);
    expect(memberCookie.status).toBe(403);
    expect(forgedCookie.status).toBe(401);
  });
});
