import { randomUUID } from 'node:crypto';

import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createCursorCodec } from '../../../../src/db/query/cursor-codec.ts';
import {
  createWebhookDeliveryService,
  type WebhookDeliveryService,
} from '../../../../src/features/webhooks/webhook-delivery.service.ts';
import {
  createWebhookEndpointService,
  type WebhookEndpointService,
} from '../../../../src/features/webhooks/webhook-endpoints.service.ts';
import type { ResilienceOptions } from '../../../../src/integrations/resilience/resilient-call.ts';
import { createHttpWebhookSender } from '../../../../src/integrations/webhooks/http-webhook-sender.ts';
import {
  createSsrfGuard,
  type SsrfGuard,
} from '../../../../src/integrations/webhooks/ssrf-guard.ts';
import { generateWebhookSecret } from '../../../../src/integrations/webhooks/standard-webhook-signer.ts';
import {
  createWebhookCalls,
  type WebhookCalls,
} from '../../../../src/integrations/webhooks/webhook-calls.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../../support/stand-ins/scripted-http-server.ts';
import { createTestContext, type TestContext } from '../../../support/test-context.ts';

const logger = pino({ level: 'silent' });

let ctx: TestContext;
let receiver: ScriptedHttpServer;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
});

afterAll(async () => {
  await ctx.close();
});

beforeEach(async () => {
  receiver = await startScriptedHttpServer({ status: 200, body: '{"ok":true}' });
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) {
    await close();
  }
  await receiver.close();
});

const db = () => ctx.deps.database.db;

function guard(allowLoopback: boolean): SsrfGuard {
  const created = createSsrfGuard({ allowLoopback });
  closers.push(() => created.close());
  return created;
}

interface Harness {
  readonly endpoints: WebhookEndpointService;
  readonly deliveries: WebhookDeliveryService;
  readonly calls: WebhookCalls;
  /** Every wait the retry asked for, instead of sleeping. */
  readonly delays: number[];
}

/**
 * The services as wiring builds them, with the configured policy (retries 3 at 2/4/8 s,
 * 10 s per attempt) unless overridden, a recording sleep, and loopback allowed for
 * customer endpoints so the local receiver can stand in for one.
 */
function harness(
  options: {
    readonly policy?: Partial<ResilienceOptions>;
    readonly customersMayReachLoopback?: boolean;
    readonly deploymentEndpoint?: { readonly url: string; readonly secret: string };
  } = {},
): Harness {
  const delays: number[] = [];
  const customerGuard = guard(options.customersMayReachLoopback ?? true);
  const operatorGuard = guard(true);
  const calls = createWebhookCalls(
    { policy: { ...ctx.config.integrations.resilience.webhooks, ...options.policy } },
    {
      logger,
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    },
  );
  closers.push(() => {
    calls.shutdown();
  });
  const endpoints = createWebhookEndpointService({
    db: db(),
    cursorCodec: createCursorCodec(ctx.config.signing.secret),
    checkTargetUrl: guard(true).checkUrl,
  });
  const deliveries = createWebhookDeliveryService({
    db: db(),
    sender: createHttpWebhookSender({
      customerDispatcher: customerGuard.dispatcher,
      operatorDispatcher: operatorGuard.dispatcher,
    }),
    callFor: calls.callFor,
    deploymentEndpoint: options.deploymentEndpoint,
    logger,
  });
  return { endpoints, deliveries, calls, delays };
}

async function newOwner(): Promise<string> {
  const id = randomUUID();
  await db()
    .insertInto('users')
    .values({ id, email: `${id.slice(0, 8)}@example.com` })
    .execute();
  return id;
}

/** An owner with one endpoint on the receiver, subscribed to export.ready, and one delivery. */
async function oneDelivery(h: Harness, url = `${receiver.url}/hooks/export?source=test`) {
  const ownerId = await newOwner();
  const endpoint = await h.endpoints.createEndpoint(ownerId, { url, events: ['export.ready'] });
  const [deliveryId] = await h.deliveries.dispatchEvent({
    ownerId,
    event: 'export.ready',
    data: { exportId: 'exp_1', url: 'https://files.example.com/cv.pdf' },
  });
  return { ownerId, endpoint, deliveryId: deliveryId! };
}

function deliveryRow(id: string) {
  return db()
    .selectFrom('webhook_deliveries')
    .select(['status', 'attempt_count', 'last_status_code', 'last_error', 'completed_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

function attemptRows(deliveryId: string) {
  return db()
    .selectFrom('webhook_attempts')
    .select(['attempt_number', 'status_code', 'error', 'duration_ms'])
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt_number')
    .execute();
}

function endpointRow(id: string) {
  return db()
    .selectFrom('webhook_endpoints')
    .select(['enabled', 'disabled_reason'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('webhook delivery (R-INT-3)', () => {
  it('signs the delivery so the standardwebhooks library verifies it', async () => {
    const h = harness();
    const { endpoint, deliveryId } = await oneDelivery(h);

    const result = await h.deliveries.deliver(deliveryId);

    expect(result).toEqual({ status: 'succeeded', attempts: 1 });
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/export?source=test');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe(deliveryId);
    expect(Number(request?.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    const payload = new Webhook(endpoint.secret).verify(request!.body, {
      'webhook-id': String(request?.headers['webhook-id']),
      'webhook-timestamp': String(request?.headers['webhook-timestamp']),
      'webhook-signature': String(request?.headers['webhook-signature']),
    });
    expect(payload).toEqual({
      type: 'export.ready',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      data: { exportId: 'exp_1', url: 'https://files.example.com/cv.pdf' },
    });
    expect(() =>
      new Webhook(generateWebhookSecret()).verify(request!.body, {
        'webhook-id': String(request?.headers['webhook-id']),
        'webhook-timestamp': String(request?.headers['webhook-timestamp']),
        'webhook-signature': String(request?.headers['webhook-signature']),
      }),
    ).toThrow();
  });

  it('records the attempt with its status code and duration, and settles the delivery', async () => {
    const h = harness();
    const { deliveryId } = await oneDelivery(h);

    await h.deliveries.deliver(deliveryId);

    const attempts = await attemptRows(deliveryId);
    expect(attempts).toEqual([
      {
        attempt_number: 1,
        status_code: 200,
        error: null,
        duration_ms: expect.any(Number) as unknown,
      },
    ]);
    expect(attempts[0]!.duration_ms).toBeGreaterThanOrEqual(0);
    expect(await deliveryRow(deliveryId)).toEqual({
      status: 'succeeded',
      attempt_count: 1,
      last_status_code: 200,
      last_error: null,
      completed_at: expect.any(Date) as unknown,
    });
  });

  it.each([
    [2_000, [2_000, 4_000]],
    [250, [250, 500]],
  ])(
    'retries 500 twice then succeeds on attempt 3, waiting the base delay %i ms then double',
    async (baseDelayMs, expectedDelays) => {
      const retry = { ...ctx.config.integrations.resilience.webhooks.retry, baseDelayMs };
      const h = harness({ policy: { retry } });
      const { deliveryId } = await oneDelivery(h);
      receiver.enqueue({ status: 500, body: 'boom' }, { status: 500, body: 'boom' });

      const result = await h.deliveries.deliver(deliveryId);

      expect(result).toEqual({ status: 'succeeded', attempts: 3 });
      expect(h.delays).toEqual(expectedDelays);
      expect((await attemptRows(deliveryId)).map((a) => [a.status_code, a.error])).toEqual([
        [500, 'the receiver answered 500: boom'],
        [500, 'the receiver answered 500: boom'],
        [200, null],
      ]);
      expect(await deliveryRow(deliveryId)).toMatchObject({
        status: 'succeeded',
        attempt_count: 3,
        last_status_code: 200,
      });
      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(
        new Set([deliveryId]),
      );
    },
  );

  it('fails after the last retry when the receiver keeps answering 5xx', async () => {
    const h = harness();
    const { deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 503 });

    const result = await h.deliveries.deliver(deliveryId);

    expect(result.status).toBe('failed');
    expect(h.delays).toEqual([2_000, 4_000, 8_000]);
    expect((await attemptRows(deliveryId)).map((a) => a.status_code)).toEqual([503, 503, 503, 503]);
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'failed',
      attempt_count: 4,
      last_status_code: 503,
      completed_at: expect.any(Date) as unknown,
    });
  });

  it('disables the endpoint on 410 Gone and does not retry', async () => {
    const h = harness();
    const { endpoint, deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 410 });

    const result = await h.deliveries.deliver(deliveryId);

    expect(result.status).toBe('failed');
    expect(receiver.requests).toHaveLength(1);
    expect(await endpointRow(endpoint.id)).toEqual({
      enabled: false,
      disabled_reason: expect.stringMatching(/410 Gone/) as unknown,
    });
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'failed',
      last_status_code: 410,
    });
  });

  it('tries a 404 once and fails without disabling the endpoint', async () => {
    const h = harness();
    const { endpoint, deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 404, body: 'no such hook' });

    const result = await h.deliveries.deliver(deliveryId);

    expect(result.status).toBe('failed');
    expect(receiver.requests).toHaveLength(1);
    expect(h.delays).toEqual([]);
    expect(await attemptRows(deliveryId)).toHaveLength(1);
    expect((await endpointRow(endpoint.id)).enabled).toBe(true);
  });

  it('records a timed-out attempt with its error and aborts the request', async () => {
    const retry = { ...ctx.config.integrations.resilience.webhooks.retry, retries: 0 };
    const h = harness({ policy: { timeoutMs: 200, retry } });
    const { deliveryId } = await oneDelivery(h);
    receiver.setFallback({ hang: true });

    const result = await h.deliveries.deliver(deliveryId);

    expect(result.status).toBe('failed');
    const [attempt] = await attemptRows(deliveryId);
    expect(attempt).toMatchObject({ attempt_number: 1, status_code: null });
    expect(attempt?.error).toMatch(/did not answer within 200 ms/);
    expect(attempt?.duration_ms).toBeGreaterThanOrEqual(150);
    await receiver.requests[0]?.closedByClient;
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'failed',
      last_status_code: null,
      last_error: expect.stringMatching(/did not answer/) as unknown,
    });
  });

  it('sends nothing when a succeeded delivery is delivered again', async () => {
    const h = harness();
    const { deliveryId } = await oneDelivery(h);
    await h.deliveries.deliver(deliveryId);

    const again = await h.deliveries.deliver(deliveryId);

    expect(again).toEqual({ status: 'skipped', reason: 'already delivered' });
    expect(receiver.requests).toHaveLength(1);
    expect(await attemptRows(deliveryId)).toHaveLength(1);
  });

  it('sends nothing for a delivery whose endpoint was deleted', async () => {
    const h = harness();
    const { ownerId, endpoint, deliveryId } = await oneDelivery(h);
    await h.endpoints.deleteEndpoint(ownerId, endpoint.id);

    const result = await h.deliveries.deliver(deliveryId);

    expect(result).toEqual({ status: 'failed', reason: 'the endpoint was deleted' });
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('webhook dispatch', () => {
  it('creates one delivery per enabled subscribed endpoint plus one for the global endpoint', async () => {
    const h = harness({
      deploymentEndpoint: { url: `${receiver.url}/ops`, secret: generateWebhookSecret() },
    });
    const ownerId = await newOwner();
    const someoneElse = await newOwner();
    const create = (owner: string, events: ('export.ready' | 'deployment.failed' | '*')[]) =>
      h.endpoints.createEndpoint(owner, { url: `${receiver.url}/hook`, events });
    const exports = await create(ownerId, ['export.ready']);
    const everything = await create(ownerId, ['*']);
    await create(ownerId, ['deployment.failed']);
    const off = await create(ownerId, ['*']);
    await h.endpoints.updateEndpoint(ownerId, off.id, { enabled: false });
    await create(someoneElse, ['*']);

    const ids = await h.deliveries.dispatchEvent({
      ownerId,
      event: 'export.ready',
      data: { exportId: 'exp_9' },
    });

    const rows = await db()
      .selectFrom('webhook_deliveries')
      .select(['endpoint_id', 'is_global', 'event', 'status', 'payload'])
      .where('id', 'in', [...ids])
      .execute();
    expect(rows.map((row) => row.endpoint_id).sort()).toEqual(
      [exports.id, everything.id, null].sort(),
    );
    expect(rows.filter((row) => row.is_global)).toHaveLength(1);
    expect(rows.every((row) => row.status === 'pending' && row.event === 'export.ready')).toBe(
      true,
    );
    expect(rows[0]?.payload).toMatchObject({ type: 'export.ready', data: { exportId: 'exp_9' } });
    expect(receiver.requests).toHaveLength(0);
  });

  it('signs global deliveries with the configured secret and may reach loopback', async () => {
    const secret = generateWebhookSecret();
    const h = harness({
      customersMayReachLoopback: false,
      deploymentEndpoint: { url: `${receiver.url}/ops`, secret },
    });
    const ownerId = await newOwner();

    const [globalId] = await h.deliveries.dispatchEvent({
      ownerId,
      event: 'deployment.succeeded',
      data: { deploymentId: 'dep_1' },
    });
    const result = await h.deliveries.deliver(globalId!);

    expect(result).toEqual({ status: 'succeeded', attempts: 1 });
    const [request] = receiver.requests;
    expect(request?.url).toBe('/ops');
    expect(
      new Webhook(secret).verify(request!.body, request!.headers as Record<string, string>),
    ).toMatchObject({ type: 'deployment.succeeded' });
  });

  it('refuses at connect time a customer endpoint that reaches loopback when that is not allowed', async () => {
    const h = harness({ customersMayReachLoopback: false });
    const { deliveryId } = await oneDelivery(h);

    const result = await h.deliveries.deliver(deliveryId);

    expect(result.status).toBe('failed');
    expect(receiver.requests).toHaveLength(0);
    expect(h.delays).toEqual([]);
    expect(await attemptRows(deliveryId)).toEqual([
      {
        attempt_number: 1,
        status_code: null,
        error: expect.stringMatching(/127\.0\.0\.1 is a loopback address/) as unknown,
        duration_ms: expect.any(Number) as unknown,
      },
    ]);
  });
});

describe('webhook breakers', () => {
  it("opens only the failing endpoint's breaker; other endpoints keep receiving", async () => {
    const retry = { ...ctx.config.integrations.resilience.webhooks.retry, retries: 0 };
    const h = harness({ policy: { retry } });
    const broken = await startScriptedHttpServer({ status: 500 });
    closers.push(() => broken.close());
    const ownerId = await newOwner();
    const bad = await h.endpoints.createEndpoint(ownerId, {
      url: `${broken.url}/hook`,
      events: ['export.ready'],
    });
    const good = await h.endpoints.createEndpoint(ownerId, {
      url: `${receiver.url}/hook`,
      events: ['deployment.failed'],
    });
    const dispatch = (event: 'export.ready' | 'deployment.failed') =>
      h.deliveries.dispatchEvent({ ownerId, event, data: {} }).then((ids) => ids[0]!);
    for (let failure = 0; failure < 5; failure += 1) {
      expect((await h.deliveries.deliver(await dispatch('export.ready'))).status).toBe('failed');
    }

    const deferredId = await dispatch('export.ready');
    const deferred = await h.deliveries.deliver(deferredId);
    const healthy = await h.deliveries.deliver(await dispatch('deployment.failed'));

    expect(deferred.status).toBe('deferred');
    expect(broken.requests).toHaveLength(5);
    expect(await deliveryRow(deferredId)).toMatchObject({ status: 'pending', attempt_count: 0 });
    expect(healthy).toEqual({ status: 'succeeded', attempts: 1 });
    const states = Object.fromEntries(
      h.calls
        .snapshots()
        .map((snapshot) => [snapshot.target.slice(0, 36), snapshot.state] as const),
    );
    expect(states).toEqual({ [bad.id]: 'open', [good.id]: 'closed' });
  });
});
