import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateWebhookSecret } from '../../../src/integrations/webhooks/standard-webhook-signer.ts';
import { createJobHandlers } from '../../../src/jobs/create-job-handlers.ts';
import { JOB_CATALOG } from '../../../src/jobs/job-catalog.ts';
import { createJobHandlerDeps } from '../../../src/wiring/create-job-handler-deps.ts';
import { type JobPipeline, startJobPipeline } from '../../support/job-pipeline.ts';
import { uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';
import { waitFor, waitUntil } from './job-test-support.ts';

const prefix = uniqueQueuePrefix();
let receiver: ScriptedHttpServer;
let ctx: TestContext;
let pipeline: JobPipeline<typeof JOB_CATALOG>;

beforeAll(async () => {
  receiver = await startScriptedHttpServer({ status: 204 });
  ctx = await createTestContext({
    DEPLOYMENT_WEBHOOK_URL: `${receiver.url}/hooks`,
    DEPLOYMENT_WEBHOOK_SECRET: generateWebhookSecret(),
  });
  // Wired as the `work` role wires it: the default catalog and every real handler.
  pipeline = await startJobPipeline({
    ctx,
    catalog: JOB_CATALOG,
    handlers: createJobHandlers(createJobHandlerDeps(ctx.deps)),
    prefix,
  });
});

afterAll(async () => {
  await pipeline.close();
  await ctx.close();
  await receiver.close();
});

describe('webhook.deliver through the outbox', () => {
  it('sends a recorded delivery once the transaction that recorded it commits', async () => {
    const db = ctx.deps.database.db;
    const deploymentId = randomUUID();
    const deliveryId = await db.transaction().execute(async (trx) => {
      const [id] = await ctx.deps.webhookDeliveries.dispatchEventInTransaction(trx, {
        ownerId: randomUUID(),
        event: 'deployment.succeeded',
        data: { deploymentId },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.requests).toHaveLength(0);
      return id;
    });
    if (deliveryId === undefined) {
      throw new Error('no delivery recorded for the global endpoint');
    }

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
