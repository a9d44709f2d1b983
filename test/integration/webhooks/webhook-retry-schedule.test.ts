import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';
import {
  createWebhookWorld,
  type DeliveryBody,
  readCounter,
  verifyRequest,
  type WebhookWorld,
} from './webhook-world.ts';

// R-SEC-3 through the `work` role: the schedule, the breaker and the queue together, with the
// schedule shortened to 0 / 100 / 200 / 300 ms. The breaker opens on one failure and lets a
// trial through after 1 s, so a run due meanwhile is put off. In-call retries would be fast
// (10 ms) if any happened: the receivers count every request.

const SCHEDULE_MS = [0, 100, 200, 300];
let world: WebhookWorld;
let receiver: ScriptedHttpServer;

beforeAll(async () => {
  receiver = await startScriptedHttpServer({ status: 204 });
  world = await createWebhookWorld({
    WEBHOOK_RETRY_SCHEDULE_MS: SCHEDULE_MS.join(','),
    BREAKER_FAILURES_TO_OPEN: '1',
    BREAKER_RESET_MS: '1000',
    RETRY_BASE_DELAY_MS: '10',
  });
});

afterAll(async () => {
  await world.close();
  await receiver.close();
});

describe('webhook retry schedule (R-SEC-3)', () => {
  it('delivers through a receiver outage: every failed attempt is recorded and the next follows the schedule', async () => {
    const endpoint = await world.createEndpoint(`${receiver.url}/outage`, ['export.ready']);
    receiver.enqueue({ status: 503, body: 'down' }, { status: 503, body: 'down' });

    const [deliveryId] = await world.dispatch('export.ready', { exportId: 'exp_outage' });
    const delivered = await world.waitForDelivery(deliveryId!, (row) => row.status !== 'pending');

    expect(delivered).toMatchObject({
      status: 'succeeded',
      attempt_count: 3,
      schedule_attempts: 3,
    });
    const attempts = await world.attempts(deliveryId!);
    expect(attempts.map((attempt) => [attempt.attempt_number, attempt.status_code])).toEqual([
      [1, 503],
      [2, 503],
      [3, 204],
    ]);
    // Each wait is at least the schedule's (truncation to ms costs at most 1 ms).
    expect(
      attempts[1]!.created_at.getTime() - attempts[0]!.created_at.getTime(),
    ).toBeGreaterThanOrEqual(SCHEDULE_MS[1]! - 1);
    expect(
      attempts[2]!.created_at.getTime() - attempts[1]!.created_at.getTime(),
    ).toBeGreaterThanOrEqual(SCHEDULE_MS[2]! - 1);
    const requests = receiver.requests.filter((request) => request.url === '/outage');
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((request) => request.headers['webhook-id']))).toEqual(
      new Set([deliveryId]),
    );
    for (const request of requests) {
      expect(verifyRequest(endpoint.secret, request)).toMatchObject({ type: 'export.ready' });
    }

    const listed = await world.ctx.request<{ data: DeliveryBody[] }>(
      'GET',
      `/api/webhook-endpoints/${endpoint.id}/deliveries`,
      { token: world.user.token },
    );
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        id: deliveryId,
        status: 'succeeded',
        attemptCount: 3,
        lastStatusCode: 204,
        nextAttemptAt: null,
      }),
    ]);
  });

  it('keeps a delivery whose failure opened the breaker, and puts runs off while it is open without using attempts', async () => {
    const broken = await startScriptedHttpServer({ status: 500, body: 'still down' });
    try {
      await world.createEndpoint(`${broken.url}/broken`, ['deployment.failed']);
      const deferredBefore = await readCounter(
        world.ctx,
        'rolerabbit_webhook_deliveries_deferred_total',
      );

      const [deliveryId] = await world.dispatch('deployment.failed', { deploymentId: 'dep_1' });
      const settled = await world.waitForDelivery(
        deliveryId!,
        (row) => row.status !== 'pending',
        15_000,
      );

      expect(settled).toMatchObject({
        status: 'failed',
        attempt_count: SCHEDULE_MS.length,
        schedule_attempts: SCHEDULE_MS.length,
      });
      expect(broken.requests).toHaveLength(SCHEDULE_MS.length);
      expect(settled.run).toBeGreaterThan(SCHEDULE_MS.length);
      expect(settled.last_error).toBe('the receiver answered 500: still down');
      expect(
        await readCounter(world.ctx, 'rolerabbit_webhook_deliveries_deferred_total'),
      ).toBeGreaterThanOrEqual(deferredBefore + settled.run - SCHEDULE_MS.length);
    } finally {
      await broken.close();
    }
  });
});
