import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ProblemBody } from '../../support/api-bodies.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';
import type { TestUser } from '../../support/test-context.ts';
import {
  createWebhookWorld,
  type DeliveryBody,
  verifyRequest,
  type WebhookWorld,
} from './webhook-world.ts';

// Redelivery and the test ping (R-SEC-3) through the API, with the `work` role running and a
// schedule of one attempt, so a failing delivery fails at once.

interface PingBody {
  readonly status: number | null;
  readonly durationMs: number;
  readonly error: string | null;
}

let world: WebhookWorld;
let receiver: ScriptedHttpServer;

beforeAll(async () => {
  receiver = await startScriptedHttpServer({ status: 204 });
  world = await createWebhookWorld({ WEBHOOK_RETRY_SCHEDULE_MS: '0' });
});

afterAll(async () => {
  await world.close();
  await receiver.close();
});

const post = <Body>(path: string, user: TestUser) =>
  world.ctx.request<Body>('POST', path, { token: user.token });

describe('POST /api/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver', () => {
  it('sends a failed delivery again with the same id and body, its attempts numbered on', async () => {
    const user = await world.ctx.createUser();
    const endpoint = await world.createEndpoint(
      `${receiver.url}/redeliver`,
      ['export.ready'],
      user,
    );
    receiver.enqueue({ status: 500, body: 'not yet' });
    const [deliveryId] = await world.dispatch('export.ready', { exportId: 'exp_again' }, user);
    await world.waitForDelivery(deliveryId!, (row) => row.status === 'failed');

    const answer = await post<DeliveryBody>(
      `/api/webhook-endpoints/${endpoint.id}/deliveries/${deliveryId!}/redeliver`,
      user,
    );
    const delivered = await world.waitForDelivery(deliveryId!, (row) => row.status !== 'pending');

    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      id: deliveryId,
      status: 'pending',
      attemptCount: 1,
      completedAt: null,
      nextAttemptAt: expect.any(String) as unknown,
    });
    expect(delivered).toMatchObject({
      status: 'succeeded',
      attempt_count: 2,
      schedule_attempts: 1,
    });
    expect((await world.attempts(deliveryId!)).map((a) => a.status_code)).toEqual([500, 204]);
    const [first, second] = receiver.requests.filter((r) => r.url === '/redeliver');
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(second?.body).toBe(first?.body);
    expect(verifyRequest(endpoint.secret, second!)).toMatchObject({ type: 'export.ready' });
  });

  it('sends a succeeded delivery again too', async () => {
    const user = await world.ctx.createUser();
    const endpoint = await world.createEndpoint(`${receiver.url}/twice`, ['export.ready'], user);
    const [deliveryId] = await world.dispatch('export.ready', { exportId: 'exp_twice' }, user);
    await world.waitForDelivery(deliveryId!, (row) => row.status === 'succeeded');

    const answer = await post<DeliveryBody>(
      `/api/webhook-endpoints/${endpoint.id}/deliveries/${deliveryId!}/redeliver`,
      user,
    );
    await world.waitForDelivery(deliveryId!, (row) => row.attempt_count === 2);

    expect(answer.status).toBe(202);
    expect(receiver.requests.filter((r) => r.url === '/twice')).toHaveLength(2);
  });

  it('refuses a delivery still pending with 409', async () => {
    const user = await world.ctx.createUser();
    const hanging = await startScriptedHttpServer({ hang: true });
    try {
      const endpoint = await world.createEndpoint(`${hanging.url}/slow`, ['export.ready'], user);
      const [deliveryId] = await world.dispatch('export.ready', { exportId: 'exp_slow' }, user);
      await world.waitForDelivery(deliveryId!, () => hanging.requests.length > 0);

      const answer = await post<ProblemBody>(
        `/api/webhook-endpoints/${endpoint.id}/deliveries/${deliveryId!}/redeliver`,
        user,
      );

      expect(answer.status).toBe(409);
      expect(answer.body.code).toBe('webhook.delivery_pending');
    } finally {
      await hanging.close();
    }
  });

  it('refuses while the endpoint is disabled (409) and answers 404 for another endpoint’s delivery', async () => {
    const user = await world.ctx.createUser();
    const endpoint = await world.createEndpoint(`${receiver.url}/off`, ['export.ready'], user);
    const other = await world.createEndpoint(`${receiver.url}/other`, ['deployment.failed'], user);
    const [deliveryId] = await world.dispatch('export.ready', { exportId: 'exp_off' }, user);
    await world.waitForDelivery(deliveryId!, (row) => row.status === 'succeeded');
    await world.ctx.request('PATCH', `/api/webhook-endpoints/${endpoint.id}`, {
      token: user.token,
      body: { enabled: false },
    });

    const disabled = await post<ProblemBody>(
      `/api/webhook-endpoints/${endpoint.id}/deliveries/${deliveryId!}/redeliver`,
      user,
    );
    const elsewhere = await post<ProblemBody>(
      `/api/webhook-endpoints/${other.id}/deliveries/${deliveryId!}/redeliver`,
      user,
    );

    expect(disabled.status).toBe(409);
    expect(disabled.body.code).toBe('webhook.endpoint_disabled');
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.code).toBe('webhook.delivery_not_found');
  });
});

describe('POST /api/webhook-endpoints/{id}/test', () => {
  it('sends one signed ping and reports the answer, recording no delivery', async () => {
    const user = await world.ctx.createUser();
    const endpoint = await world.createEndpoint(`${receiver.url}/ping`, ['export.ready'], user);

    const answer = await post<PingBody>(`/api/webhook-endpoints/${endpoint.id}/test`, user);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 204,
      durationMs: expect.any(Number) as unknown,
      error: null,
    });
    const [request] = receiver.requests.filter((r) => r.url === '/ping');
    expect(verifyRequest(endpoint.secret, request!)).toMatchObject({
      type: 'ping',
      data: { endpointId: endpoint.id },
    });
    const deliveries = await world.ctx.request<{ data: unknown[] }>(
      'GET',
      `/api/webhook-endpoints/${endpoint.id}/deliveries`,
      { token: user.token },
    );
    expect(deliveries.body.data).toEqual([]);
  });

  it('reports a failing receiver after one attempt, without retrying', async () => {
    const user = await world.ctx.createUser();
    const failing = await startScriptedHttpServer({ status: 500, body: 'broken' });
    try {
      const endpoint = await world.createEndpoint(`${failing.url}/ping`, ['export.ready'], user);

      const answer = await post<PingBody>(`/api/webhook-endpoints/${endpoint.id}/test`, user);

      expect(answer.body).toMatchObject({
        status: 500,
        error: 'the receiver answered 500: broken',
      });
      expect(failing.requests).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });

  it('reports an unreachable receiver in words, without its address (R-SEC-7)', async () => {
    const user = await world.ctx.createUser();
    const closed = await startScriptedHttpServer();
    const url = `${closed.url}/ping`;
    await closed.close();
    const endpoint = await world.createEndpoint(url, ['export.ready'], user);

    const answer = await post<PingBody>(`/api/webhook-endpoints/${endpoint.id}/test`, user);

    expect(answer.body).toMatchObject({
      status: null,
      error: 'the receiver refused the connection',
    });
  });

  it('pings a disabled endpoint too, so its owner can check it before turning it on', async () => {
    const user = await world.ctx.createUser();
    const endpoint = await world.createEndpoint(`${receiver.url}/ping-off`, ['export.ready'], user);
    await world.ctx.request('PATCH', `/api/webhook-endpoints/${endpoint.id}`, {
      token: user.token,
      body: { enabled: false },
    });

    const answer = await post<PingBody>(`/api/webhook-endpoints/${endpoint.id}/test`, user);

    expect(answer.body).toMatchObject({ status: 204, error: null });
    expect(receiver.requests.filter((r) => r.url === '/ping-off')).toHaveLength(1);
  });

  it('does not let anyone subscribe to ping', async () => {
    const user = await world.ctx.createUser();
    const answer = await world.ctx.request<ProblemBody>('POST', '/api/webhook-endpoints', {
      token: user.token,
      body: { url: `${receiver.url}/hook`, events: ['ping'] },
    });

    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((issue) => issue.path)).toEqual(['body.events.0']);
  });
});
