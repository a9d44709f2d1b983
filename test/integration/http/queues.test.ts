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
