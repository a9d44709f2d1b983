import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startJobProcessing } from '../../../src/wiring/start-job-processing.ts';
import { relayOutboxOnce } from '../../support/relay-once.ts';
import { deleteQueueKeys } from '../../support/stand-ins/redis-queue-keys.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';
import { openQueue } from '../jobs/job-test-support.ts';
import { createWebhookWorld, verifyRequest, type WebhookWorld } from './webhook-world.ts';

// R-SEC-3: a delivery's next attempt time lives in PostgreSQL, so a Redis that lost its data
// (failover to an empty replica, FLUSHALL, eviction) loses no delivery: the `work` role's
// sweep finds the due delivery without a live job and queues it again.

const REDIS_URL = 'redis://127.0.0.1:6379';
let world: WebhookWorld;
let receiver: ScriptedHttpServer;

beforeAll(async () => {
  receiver = await startScriptedHttpServer({ status: 204 });
  world = await createWebhookWorld({ JOBS_RECOVERY_INTERVAL_MS: '200' }, { startWork: false });
});

afterAll(async () => {
  await world.close();
  await receiver.close();
});

describe('webhook deliveries when Redis loses its data (R-SEC-3)', () => {
  it('sends a delivery whose queued job vanished, once, after the sweep queues it again', async () => {
    const { ctx } = world;
    const prefix = ctx.config.jobs.prefix;
    const endpoint = await world.createEndpoint(`${receiver.url}/lost`, ['export.ready']);
    const [deliveryId] = await world.dispatch('export.ready', { exportId: 'exp_lost' });
    // The relay moves the job to Redis, where it waits for a worker...
    await relayOutboxOnce(ctx.deps.database.db, REDIS_URL, prefix);
    const queue = openQueue(prefix, 'webhooks');
    expect(await queue.getJobState(`webhook-${deliveryId!}-0`)).toBe('waiting');
    await queue.close();

    // ...and Redis loses it before any worker runs.
    await deleteQueueKeys(REDIS_URL, prefix);
    startJobProcessing(ctx.deps);
    const delivered = await world.waitForDelivery(
      deliveryId!,
      (row) => row.status !== 'pending',
      10_000,
    );

    expect(delivered).toMatchObject({ status: 'succeeded', attempt_count: 1, run: 1 });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers['webhook-id']).toBe(deliveryId);
    expect(verifyRequest(endpoint.secret, receiver.requests[0]!)).toMatchObject({
      type: 'export.ready',
    });
  });
});
