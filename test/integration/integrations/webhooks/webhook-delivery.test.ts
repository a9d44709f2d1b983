import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';

import { type Logger, pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createCursorCodec } from '../../../../src/db/query/cursor-codec.ts';
import { createAttemptSender } from '../../../../src/features/webhooks/webhook-attempt.ts';
import {
  createWebhookDeliveryService,
  type DisableReason,
  type WebhookDeliveryService,
} from '../../../../src/features/webhooks/webhook-delivery.service.ts';
import { deliveryJobId } from '../../../../src/features/webhooks/webhook-delivery-schedule.ts';
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
import { enqueueInTransaction } from '../../../../src/jobs/outbox/enqueue-in-transaction.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../../support/stand-ins/scripted-http-server.ts';
import { createTestContext, type TestContext } from '../../../support/test-context.ts';

// The delivery service driven one run at a time, as the `webhook.deliver` job drives it; the
// next run's job is read from the outbox rather than run by a worker (R-INT-3, R-SEC-3).

const logger = pino({ level: 'silent' });
const SCHEDULE_MS = [0, 5_000, 300_000];

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
  readonly deferred: number[];
  readonly disabled: DisableReason[];
}

/**
 * The services as wiring builds them: one attempt per run (no in-call retry), the configured
 * per-attempt timeout and breaker unless overridden, loopback allowed for customer endpoints
 * so the local receiver can stand in for one.
 */
function harness(
  options: {
    readonly policy?: Partial<ResilienceOptions>;
    readonly customersMayReachLoopback?: boolean;
    readonly deploymentEndpoint?: { readonly url: string; readonly secret: string };
    readonly scheduleMs?: readonly number[];
    readonly deferMs?: number;
    readonly disableAfterMs?: number;
    readonly alertOperator?: boolean;
    readonly senderClock?: () => Date;
    readonly logger?: Logger;
  } = {},
): Harness {
  const configured = ctx.config.integrations.resilience.webhooks;
  const policy: ResilienceOptions = {
    ...configured,
    ...options.policy,
    retry: { ...configured.retry, retries: 0 },
  };
  const customerGuard = guard(options.customersMayReachLoopback ?? true);
  const operatorGuard = guard(true);
  const calls = createWebhookCalls({ policy }, { logger });
  closers.push(() => {
    calls.shutdown();
  });
  const attempts = createAttemptSender({
    sender: createHttpWebhookSender({
      customerDispatcher: customerGuard.dispatcher,
      operatorDispatcher: operatorGuard.dispatcher,
      ...(options.senderClock === undefined ? {} : { now: options.senderClock }),
    }),
    callFor: calls.callFor,
    timeoutMs: policy.timeoutMs,
    logger,
  });
  const schedule = {
    retryScheduleMs: options.scheduleMs ?? SCHEDULE_MS,
    deferMs: options.deferMs ?? 30_000,
  };
  const deferred: number[] = [];
  const disabled: DisableReason[] = [];
  const endpoints = createWebhookEndpointService({
    db: db(),
    cursorCodec: createCursorCodec(ctx.config.signing.secret),
    checkTargetUrl: guard(true).checkUrl,
    attempts,
    enqueueInTransaction,
    schedule,
    logger,
  });
  const deliveries = createWebhookDeliveryService({
    db: db(),
    attempts,
    deploymentEndpoint: options.deploymentEndpoint,
    enqueueInTransaction,
    schedule,
    disableAfterMs: options.disableAfterMs ?? 5 * 24 * 60 * 60 * 1000,
    alertOperator: options.alertOperator ?? false,
    observer: {
      onDeferred: () => deferred.push(Date.now()),
      onEndpointDisabled: (reason) => disabled.push(reason),
    },
    logger: options.logger ?? logger,
  });
  return { endpoints, deliveries, calls, deferred, disabled };
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
    data: { exportId: 'exp_1', pageCount: 2 },
  });
  return { ownerId, endpoint, deliveryId: deliveryId! };
}

function deliveryRow(id: string) {
  return db()
    .selectFrom('webhook_deliveries')
    .select([
      'status',
      'attempt_count',
      'schedule_attempts',
      'run',
      'last_status_code',
      'last_error',
      'completed_at',
      'next_attempt_at',
    ])
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
    .select(['enabled', 'disabled_reason', 'failing_since'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** The outbox rows of a job name, with how far in the future each becomes due. */
async function outboxJobs(jobName: string, jobId?: string) {
  let query = db()
    .selectFrom('job_outbox')
    .select(['job_id', 'payload', 'available_at', 'created_at'])
    .where('job_name', '=', jobName);
  if (jobId !== undefined) {
    query = query.where('job_id', '=', jobId);
  }
  const rows = await query.orderBy('id').execute();
  return rows.map((row) => ({
    jobId: row.job_id,
    payload: row.payload,
    delayMs: row.available_at.getTime() - row.created_at.getTime(),
  }));
}

const verify = (secret: string, request: ScriptedHttpServer['requests'][number]) =>
  new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });

describe('webhook delivery (R-INT-3)', () => {
  it('signs the delivery so the standardwebhooks library verifies it', async () => {
    const h = harness();
    const { endpoint, deliveryId } = await oneDelivery(h);

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(result).toEqual({ status: 'succeeded', attempt: 1 });
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/export?source=test');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe(deliveryId);
    expect(Number(request?.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    expect(verify(endpoint.secret, request!)).toEqual({
      type: 'export.ready',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      data: { exportId: 'exp_1', pageCount: 2 },
    });
    expect(() => verify(generateWebhookSecret(), request!)).toThrow();
  });

  it('queues the first run with the delivery, in the same transaction', async () => {
    const h = harness();

    const { deliveryId } = await oneDelivery(h);

    expect(await outboxJobs('webhook.deliver', deliveryJobId(deliveryId, 0))).toEqual([
      { jobId: `webhook-${deliveryId}-0`, payload: { deliveryId, run: 0 }, delayMs: 0 },
    ]);
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'pending',
      run: 0,
      next_attempt_at: expect.any(Date) as unknown,
    });
  });

  it('records the attempt with its status code and duration, and settles the delivery', async () => {
    const h = harness();
    const { deliveryId } = await oneDelivery(h);

    await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(await attemptRows(deliveryId)).toEqual([
      {
        attempt_number: 1,
        status_code: 200,
        error: null,
        duration_ms: expect.any(Number) as unknown,
      },
    ]);
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'succeeded',
      attempt_count: 1,
      last_status_code: 200,
      last_error: null,
      completed_at: expect.any(Date) as unknown,
      next_attempt_at: null,
    });
  });

  it('sends one request per run and queues the next attempt with the delay of the schedule (R-SEC-3)', async () => {
    const h = harness();
    const { deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 500, body: 'boom' });

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(result).toEqual({ status: 'retrying', attempt: 1, nextAttemptInMs: 5_000 });
    expect(receiver.requests).toHaveLength(1);
    expect(await attemptRows(deliveryId)).toMatchObject([
      { attempt_number: 1, status_code: 500, error: 'the receiver answered 500: boom' },
    ]);
    const row = await deliveryRow(deliveryId);
    expect(row).toMatchObject({
      status: 'pending',
      run: 1,
      schedule_attempts: 1,
      attempt_count: 1,
    });
    expect(await outboxJobs('webhook.deliver', deliveryJobId(deliveryId, 1))).toEqual([
      { jobId: `webhook-${deliveryId}-1`, payload: { deliveryId, run: 1 }, delayMs: 5_000 },
    ]);
  });

  it('retries any answer but 2xx and 410, a 404 included', async () => {
    const h = harness();
    const { endpoint, deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 404, body: 'no such hook' });

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(result.status).toBe('retrying');
    expect((await endpointRow(endpoint.id)).enabled).toBe(true);
  });

  it('counts a redirect as a failed attempt and does not follow it', async () => {
    const h = harness();
    const elsewhere = await startScriptedHttpServer({ status: 204 });
    closers.push(() => elsewhere.close());
    const { deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 302, headers: { location: `${elsewhere.url}/moved` } });

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(result.status).toBe('retrying');
    expect((await attemptRows(deliveryId)).map((a) => a.status_code)).toEqual([302]);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('ends the delivery after the last attempt of the schedule', async () => {
    const h = harness();
    const { deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 503 });

    const results = [];
    for (let run = 0; run < SCHEDULE_MS.length; run += 1) {
      results.push(await h.deliveries.deliver({ deliveryId, run }));
    }

    expect(results.map((result) => result.status)).toEqual(['retrying', 'retrying', 'failed']);
    expect(receiver.requests).toHaveLength(3);
    expect((await attemptRows(deliveryId)).map((a) => a.status_code)).toEqual([503, 503, 503]);
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'failed',
      attempt_count: 3,
      schedule_attempts: 3,
      last_status_code: 503,
      next_attempt_at: null,
      completed_at: expect.any(Date) as unknown,
    });
    expect(await outboxJobs('webhook.deliver', deliveryJobId(deliveryId, 3))).toEqual([]);
  });

  it('signs every attempt anew: a fresh webhook-timestamp, the same webhook-id', async () => {
    let clock = Date.now();
    const h = harness({
      senderClock: () => {
        clock += 60_000;
        return new Date(clock - 120_000);
      },
    });
    const { endpoint, deliveryId } = await oneDelivery(h);
    receiver.enqueue({ status: 502 });

    await h.deliveries.deliver({ deliveryId, run: 0 });
    await h.deliveries.deliver({ deliveryId, run: 1 });

    const [first, second] = receiver.requests;
    expect(first?.headers['webhook-id']).toBe(deliveryId);
    expect(second?.headers['webhook-id']).toBe(deliveryId);
    expect(Number(second?.headers['webhook-timestamp'])).toBe(
      Number(first?.headers['webhook-timestamp']) + 60,
    );
    expect(second?.headers['webhook-signature']).not.toBe(first?.headers['webhook-signature']);
    expect(verify(endpoint.secret, first!)).toEqual(verify(endpoint.secret, second!));
  });

  it('disables the endpoint on 410 Gone and ends the delivery', async () => {
    const h = harness();
    const { endpoint, deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 410 });

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(result.status).toBe('failed');
    expect(receiver.requests).toHaveLength(1);
    expect(await endpointRow(endpoint.id)).toMatchObject({
      enabled: false,
      disabled_reason: expect.stringMatching(/410 Gone/) as unknown,
    });
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'failed',
      last_status_code: 410,
    });
    expect(h.disabled).toEqual(['gone']);
  });

  it('records a timed-out attempt with its error and aborts the request', async () => {
    const h = harness({ policy: { timeoutMs: 200 } });
    const { deliveryId } = await oneDelivery(h);
    receiver.setFallback({ hang: true });

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(result.status).toBe('retrying');
    const [attempt] = await attemptRows(deliveryId);
    expect(attempt).toMatchObject({
      attempt_number: 1,
      status_code: null,
      error: 'the receiver did not answer within 200 ms',
    });
    expect(attempt?.duration_ms).toBeGreaterThanOrEqual(150);
    await receiver.requests[0]?.closedByClient;
  });

  it('says a refused connection in words, without the address (R-SEC-7)', async () => {
    const h = harness();
    const closed = await startScriptedHttpServer();
    const url = `${closed.url}/hook`;
    await closed.close();
    const { deliveryId } = await oneDelivery(h, url);

    await h.deliveries.deliver({ deliveryId, run: 0 });

    const [attempt] = await attemptRows(deliveryId);
    expect(attempt?.error).toBe('the receiver refused the connection');
    expect((await deliveryRow(deliveryId)).last_error).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  });

  it('does nothing for a run that is not the delivery’s current one', async () => {
    const h = harness();
    const { deliveryId } = await oneDelivery(h);

    const stale = await h.deliveries.deliver({ deliveryId, run: 7 });

    expect(stale).toEqual({ status: 'skipped', reason: 'a newer run owns the delivery' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('sends nothing when a succeeded delivery is delivered again', async () => {
    const h = harness();
    const { deliveryId } = await oneDelivery(h);
    await h.deliveries.deliver({ deliveryId, run: 0 });

    const again = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(again).toEqual({ status: 'skipped', reason: 'the delivery succeeded already' });
    expect(receiver.requests).toHaveLength(1);
  });

  it('fails a pending delivery of an endpoint turned off since, sending nothing', async () => {
    const h = harness();
    const { ownerId, endpoint, deliveryId } = await oneDelivery(h);
    await h.endpoints.updateEndpoint(ownerId, endpoint.id, { enabled: false });

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(result).toEqual({
      status: 'failed',
      reason: 'the endpoint is disabled (disabled by its owner)',
    });
    expect(receiver.requests).toHaveLength(0);
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'failed',
      next_attempt_at: null,
    });
  });

  it('fails a delivery whose endpoint was deleted, sending nothing', async () => {
    const h = harness();
    const { ownerId, endpoint, deliveryId } = await oneDelivery(h);
    await h.endpoints.deleteEndpoint(ownerId, endpoint.id);

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

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
    const result = await h.deliveries.deliver({ deliveryId: globalId!, run: 0 });

    expect(result).toEqual({ status: 'succeeded', attempt: 1 });
    const [request] = receiver.requests;
    expect(request?.url).toBe('/ops');
    expect(verify(secret, request!)).toMatchObject({ type: 'deployment.succeeded' });
  });

  it('refuses at connect time a customer endpoint that reaches loopback, saying why without the address', async () => {
    const h = harness({ customersMayReachLoopback: false });
    const { deliveryId } = await oneDelivery(h);

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(result.status).toBe('retrying');
    expect(receiver.requests).toHaveLength(0);
    expect(await attemptRows(deliveryId)).toEqual([
      {
        attempt_number: 1,
        status_code: null,
        error: 'the URL resolves to a private or reserved address',
        duration_ms: expect.any(Number) as unknown,
      },
    ]);
  });
});

describe('the global endpoint when it keeps failing (R-SEC-3)', () => {
  it('is never disabled; without OPERATOR_EMAIL the streak is logged once instead of mailed', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const h = harness({
      deploymentEndpoint: {
        url: `${receiver.url}/ops-${randomUUID()}`,
        secret: generateWebhookSecret(),
      },
      disableAfterMs: 1,
      alertOperator: false,
      logger: pino({ level: 'error' }, sink),
    });
    receiver.setFallback({ status: 503 });
    const ownerId = await newOwner();
    const ids: string[] = [];
    for (let event = 0; event < 3; event += 1) {
      const [id] = await h.deliveries.dispatchEvent({ ownerId, event: 'export.ready', data: {} });
      ids.push(id!);
      await h.deliveries.deliver({ deliveryId: id!, run: 0 });
    }

    const alerts = lines.filter((line) => line.includes('set OPERATOR_EMAIL'));
    expect(alerts).toHaveLength(1);
    expect(await outboxJobs('webhook.notify_operator')).toEqual([]);
    expect(h.disabled).toEqual([]);
    for (const id of ids) {
      expect((await deliveryRow(id)).status).toBe('pending');
    }
  });
});

describe('webhook breakers (R-SEC-3)', () => {
  it('records the failure that opens the breaker as an attempt and keeps the delivery scheduled', async () => {
    const h = harness({ policy: { breaker: { failuresToOpen: 1, resetAfterMs: 60_000 } } });
    const { deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 500 });

    const result = await h.deliveries.deliver({ deliveryId, run: 0 });

    expect(result).toEqual({ status: 'retrying', attempt: 1, nextAttemptInMs: 5_000 });
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'pending',
      attempt_count: 1,
      last_status_code: 500,
    });
    expect(h.calls.snapshots().map((snapshot) => snapshot.state)).toEqual(['open']);
  });

  it('defers a run while the breaker is open, without sending or using an attempt', async () => {
    const h = harness({
      policy: { breaker: { failuresToOpen: 1, resetAfterMs: 60_000 } },
      deferMs: 60_000,
    });
    const { deliveryId } = await oneDelivery(h);
    receiver.setFallback({ status: 500 });
    await h.deliveries.deliver({ deliveryId, run: 0 });

    const deferred = await h.deliveries.deliver({ deliveryId, run: 1 });

    expect(deferred.status).toBe('deferred');
    expect(receiver.requests).toHaveLength(1);
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status: 'pending',
      run: 2,
      attempt_count: 1,
      schedule_attempts: 1,
    });
    expect(await outboxJobs('webhook.deliver', deliveryJobId(deliveryId, 2))).toEqual([
      { jobId: `webhook-${deliveryId}-2`, payload: { deliveryId, run: 2 }, delayMs: 60_000 },
    ]);
    expect(h.deferred).toHaveLength(1);
  });

  it("opens only the failing endpoint's breaker; other endpoints keep receiving", async () => {
    const h = harness();
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
      const id = await dispatch('export.ready');
      expect((await h.deliveries.deliver({ deliveryId: id, run: 0 })).status).toBe('retrying');
    }

    const deferredId = await dispatch('export.ready');
    const deferred = await h.deliveries.deliver({ deliveryId: deferredId, run: 0 });
    const healthy = await h.deliveries.deliver({
      deliveryId: await dispatch('deployment.failed'),
      run: 0,
    });

    expect(deferred.status).toBe('deferred');
    expect(broken.requests).toHaveLength(5);
    expect(await deliveryRow(deferredId)).toMatchObject({ status: 'pending', attempt_count: 0 });
    expect(healthy).toEqual({ status: 'succeeded', attempt: 1 });
    const states = Object.fromEntries(
      h.calls
        .snapshots()
        .map((snapshot) => [snapshot.target.slice(0, 36), snapshot.state] as const),
    );
    expect(states).toEqual({ [bad.id]: 'open', [good.id]: 'closed' });
  });
});
