import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateWebhookSecret } from '../../../src/integrations/webhooks/standard-webhook-signer.ts';
import {
  bullRedisOptions,
  createBullConnection,
} from '../../../src/jobs/create-bull-connection.ts';
import { createJobHandlers } from '../../../src/jobs/create-job-handlers.ts';
import { createJobProducer, type JobProducer } from '../../../src/jobs/create-job-producer.ts';
import { JOB_CATALOG } from '../../../src/jobs/job-catalog.ts';
import {
  createOutboxRelay,
  type OutboxRelay,
} from '../../../src/jobs/outbox/create-outbox-relay.ts';
import { enqueueInTransaction } from '../../../src/jobs/outbox/enqueue-in-transaction.ts';
import { startWorkers, type WorkerHost } from '../../../src/jobs/start-workers.ts';
import { createJobHandlerDeps } from '../../../src/wiring/create-job-handler-deps.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';
import { CONCURRENCY, logger, REDIS_URL, waitFor, waitUntil } from './job-test-support.ts';

const prefix = uniqueQueuePrefix();
let receiver: ScriptedHttpServer;
let ctx: TestContext;
let producer: JobProducer;
let relay: OutboxRelay;
let workers: WorkerHost;

beforeAll(async () => {
  receiver = await startScriptedHttpServer({ status: 204 });
  ctx = await createTestContext({
    DEPLOYMENT_WEBHOOK_URL: `${receiver.url}/hooks`,
    DEPLOYMENT_WEBHOOK_SECRET: generateWebhookSecret(),
  });
  // Wired as the lead will: the default catalog, its handlers, one connection per role.
  producer = createJobProducer({
    catalog: JOB_CATALOG,
    connection: createBullConnection({ url: REDIS_URL, role: 'producer', logger }),
    prefix,
    logger,
  });
  relay = createOutboxRelay({
    db: ctx.deps.database.db,
    producer,
    logger,
    listenUrl: ctx.config.postgres.directUrl,
  });
  await relay.start();
  workers = startWorkers({
    catalog: JOB_CATALOG,
    handlers: createJobHandlers(createJobHandlerDeps(ctx.deps)),
    connection: bullRedisOptions({ url: REDIS_URL, role: 'worker' }),
    prefix,
    concurrency: CONCURRENCY,
    logger,
  });
  await workers.waitUntilReady();
});

afterAll(async () => {
  await workers.close();
  await relay.close();
  await producer.close();
  await deleteQueueKeys(REDIS_URL, prefix);
  await ctx.close();
  await receiver.close();
});

describe('webhook.deliver through the outbox', () => {
  it('sends a recorded delivery once its enqueueing transaction commits', async () => {
    const db = ctx.deps.database.db;
    const deploymentId = randomUUID();
    const [deliveryId] = await ctx.deps.webhookDeliveries.dispatchEvent({
      ownerId: randomUUID(),
      event: 'deployment.succeeded',
      data: { deploymentId },
    });
    if (deliveryId === undefined) {
      throw new Error('no delivery recorded for the global endpoint');
    }

    await db.transaction().execute((trx) =>
      enqueueInTransaction(trx, {
        jobName: 'webhook.deliver',
        jobId: deliveryId,
        payload: { deliveryId },
      }),
    );

    await waitUntil(() => receiver.requests.length > 0, 5_000, 'the webhook request');
    const delivery = await waitFor(async () => {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select(['status', 'attempt_count'])
        .where('id', '=', deliveryId)
        .executeTakeFirst();
      return row?.status === 'succeeded' ? row : undefined;
    });
    expect(delivery.attempt_count).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers['webhook-id']).toBe(deliveryId);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({
      type: 'deployment.succeeded',
      data: { deploymentId },
    });
  });
});
