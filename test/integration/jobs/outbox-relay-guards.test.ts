import { randomUUID } from 'node:crypto';

import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { withTransaction } from '../../../src/db/transaction-scope.ts';
import type { JobProducer } from '../../../src/jobs/create-job-producer.ts';
import { createOutboxRelay } from '../../../src/jobs/outbox/create-outbox-relay.ts';
import { createOutboxEnqueuer } from '../../../src/jobs/outbox/enqueue-in-transaction.ts';
import { claimDueOutboxRows } from '../../../src/jobs/outbox/job-outbox.repository.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';
import {
  createTestProducer,
  logger,
  openQueue,
  REDIS_URL,
  TEST_CATALOG,
  type TestCatalog,
} from './job-test-support.ts';

// Issue 8, "tests that cannot see what they guard": the relay's at-most-one-job and
// never-block properties, observed the way a mutant would break them.

const prefix = uniqueQueuePrefix();
const enqueue = createOutboxEnqueuer(TEST_CATALOG);
let ctx: TestContext;
let producer: JobProducer<TestCatalog>;
let echoQueue: Queue;

beforeAll(async () => {
  ctx = await createTestContext();
  producer = createTestProducer(prefix);
  echoQueue = openQueue(prefix, 'webhooks');
});

afterAll(async () => {
  await producer.close();
  await echoQueue.close();
  await deleteQueueKeys(REDIS_URL, prefix);
  await ctx.close();
});

const db = () => ctx.deps.database.db;

function commitEcho(jobId: string, value: string): Promise<void> {
  return withTransaction(db(), (trx) =>
    enqueue(trx, { jobName: 'test.echo', jobId, payload: { value } }),
  );
}

/** Every job of the queue carrying `value`, whatever its id or state. */
async function jobsCarrying(value: string) {
  const jobs = await echoQueue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
  return jobs.filter((job) => (job.data as { value?: unknown }).value === value);
}

describe('the outbox relay', () => {
  it('leaves one job, counted by payload, when it died between the add and the mark', async () => {
    const jobId = randomUUID();
    const marker = `once-${jobId}`;
    await commitEcho(jobId, marker);
    await producer.addRecord({ jobName: 'test.echo', jobId, payload: { value: marker } });
    const relay = createOutboxRelay({ db: db(), producer, logger, pollIntervalMs: 60_000 });

    try {
      await relay.sweep();
      await relay.sweep();
    } finally {
      await relay.close();
    }

    const jobs = await jobsCarrying(marker);
    expect(jobs.map((job) => job.id)).toEqual([jobId]);
  });

  it('lets a second claim return at once while another transaction holds rows (SKIP LOCKED)', async () => {
    const held = randomUUID();
    const free = randomUUID();
    await commitEcho(held, `held-${held}`);
    let release: () => void = () => undefined;
    const releaseGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let announceClaimed: (ids: string[]) => void = () => undefined;
    const firstClaimed = new Promise<string[]>((resolve) => {
      announceClaimed = resolve;
    });
    const holder = withTransaction(db(), async (trx) => {
      const rows = await claimDueOutboxRows(trx, 500);
      announceClaimed(rows.map((row) => row.jobId));
      await releaseGate;
    });
    const heldByFirst = await firstClaimed;
    await commitEcho(free, `free-${free}`);

    // Without SKIP LOCKED this claim would wait for the holder; the lock timeout turns such a
    // wait into an error instead of a hung test.
    const second = await withTransaction(db(), async (trx) => {
      await sql`SET LOCAL lock_timeout = '2s'`.execute(trx);
      return claimDueOutboxRows(trx, 500);
    }).finally(release);
    await holder;

    expect(heldByFirst).toContain(held);
    const secondIds = second.map((row) => row.jobId);
    expect(secondIds).toContain(free);
    expect(secondIds).not.toContain(held);
  });
});
