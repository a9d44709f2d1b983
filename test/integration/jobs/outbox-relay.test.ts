import { randomUUID } from 'node:crypto';

import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../src/errors/app-error.ts';
import type { JobProducer } from '../../../src/jobs/create-job-producer.ts';
import {
  createOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
} from '../../../src/jobs/outbox/create-outbox-relay.ts';
import { createOutboxEnqueuer } from '../../../src/jobs/outbox/enqueue-in-transaction.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';
import {
  createTestProducer,
  logger,
  openQueue,
  REDIS_URL,
  TEST_CATALOG,
  type TestCatalog,
  waitFor,
} from './job-test-support.ts';

const prefix = uniqueQueuePrefix();
const enqueue = createOutboxEnqueuer(TEST_CATALOG);
let ctx: TestContext;
let producer: JobProducer<TestCatalog>;
let echoQueue: Queue;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  producer = createTestProducer(prefix);
  echoQueue = openQueue(prefix, 'webhooks');
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});

afterAll(async () => {
  await producer.close();
  await echoQueue.close();
  await deleteQueueKeys(REDIS_URL, prefix);
  await ctx.close();
});

const db = () => ctx.deps.database.db;

function relayWith(options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  const relay = createOutboxRelay({
    db: db(),
    producer,
    logger,
    pollIntervalMs: 60_000,
    ...options,
  });
  relays.push(relay);
  return relay;
}

async function commitEcho(jobId: string, value = 'hello'): Promise<void> {
  await db()
    .transaction()
    .execute((trx) => enqueue(trx, { jobName: 'test.echo', jobId, payload: { value } }));
}

/** Backend pids of relay LISTEN connections to this test's database. */
async function relayBackends(): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity
    WHERE application_name = 'rolerabbit-outbox-relay' AND datname = current_database()`.execute(
    db(),
  );
  return rows.map((row) => row.pid);
}

function outboxRow(jobId: string) {
  return db()
    .selectFrom('job_outbox')
    .select(['job_name', 'payload', 'attempts', 'last_error', 'sent_at', 'available_at'])
    .where('job_id', '=', jobId)
    .executeTakeFirst();
}

describe(createOutboxEnqueuer.name, () => {
  it('refuses an invalid payload with InvalidInputError, which rolls the caller back', async () => {
    const validId = randomUUID();

    const outcome = db()
      .transaction()
      .execute(async (trx) => {
        await enqueue(trx, { jobName: 'test.echo', jobId: validId, payload: { value: 'ok' } });
        await enqueue(trx, { jobName: 'test.echo', jobId: randomUUID(), payload: { value: '' } });
      });

    await expect(outcome).rejects.toBeInstanceOf(InvalidInputError);
    expect(await outboxRow(validId)).toBeUndefined();
  });

  it('keeps one waiting row when the same job is enqueued twice', async () => {
    const jobId = randomUUID();

    await commitEcho(jobId, 'first');
    await commitEcho(jobId, 'second');

    const rows = await db()
      .selectFrom('job_outbox')
      .select('payload')
      .where('job_id', '=', jobId)
      .execute();
    expect(rows).toEqual([{ payload: { value: 'first' } }]);
  });
});

describe('delayed outbox jobs', () => {
  it('holds a job with a delay in PostgreSQL and relays it only once it is due', async () => {
    const jobId = randomUUID();
    const relay = relayWith({ listenUrl: undefined });
    await db()
      .transaction()
      .execute((trx) =>
        enqueue(trx, { jobName: 'test.echo', jobId, payload: { value: 'later' }, delayMs: 400 }),
      );

    await relay.sweep();
    const early = await echoQueue.getJobState(jobId);
    await new Promise((resolve) => setTimeout(resolve, 450));
    await relay.sweep();

    expect(early).toBe('unknown');
    expect((await outboxRow(jobId))?.sent_at).toBeInstanceOf(Date);
    expect(await echoQueue.getJob(jobId)).toBeDefined();
  });

  it('refuses a negative delay with InvalidInputError', async () => {
    const outcome = db()
      .transaction()
      .execute((trx) =>
        enqueue(trx, {
          jobName: 'test.echo',
          jobId: randomUUID(),
          payload: { value: 'x' },
          delayMs: -1,
        }),
      );

    await expect(outcome).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe(createOutboxRelay.name, () => {
  it('never enqueues a job whose transaction rolled back', async () => {
    const jobId = randomUUID();
    const relay = relayWith();

    await db()
      .transaction()
      .execute(async (trx) => {
        await enqueue(trx, { jobName: 'test.echo', jobId, payload: { value: 'x' } });
        throw new Error('the business write failed');
      })
      .catch(() => undefined);
    await relay.sweep();

    expect(await outboxRow(jobId)).toBeUndefined();
    expect(await echoQueue.getJob(jobId)).toBeUndefined();
  });

  it('enqueues a committed job within a second through NOTIFY, with the sweep timer idle', async () => {
    const relay = relayWith({ listenUrl: ctx.config.postgres.directUrl, pollIntervalMs: 60_000 });
    await relay.start();
    const jobId = randomUUID();

    const committedAt = Date.now();
    await commitEcho(jobId);

    const job = await waitFor(() => echoQueue.getJob(jobId), 1_000, 'the job from NOTIFY');
    expect(Date.now() - committedAt).toBeLessThan(1_000);
    expect(job.data).toEqual({ value: 'hello' });
    const row = await waitFor(async () => {
      const found = await outboxRow(jobId);
      return found?.sent_at === null ? undefined : found;
    });
    expect(row.sent_at).toBeInstanceOf(Date);
  });

  it('listens again after its LISTEN connection is killed', async () => {
    const relay = relayWith({ listenUrl: ctx.config.postgres.directUrl, listenRetryMs: 100 });
    await relay.start();
    const before = await relayBackends();
    expect(before).toHaveLength(1);

    await sql`SELECT pg_terminate_backend(${before[0] ?? 0})`.execute(db());
    await waitFor(
      async () => {
        const now = await relayBackends();
        return now.length === 1 && now[0] !== before[0] ? true : undefined;
      },
      3_000,
      'a new LISTEN connection',
    );
    const jobId = randomUUID();
    await commitEcho(jobId);

    await waitFor(() => echoQueue.getJob(jobId), 1_000, 'the job from NOTIFY after reconnecting');
  });

  it('enqueues a committed job through the polling sweep when LISTEN is off', async () => {
    const relay = relayWith({ pollIntervalMs: 200 });
    await relay.start();
    const jobId = randomUUID();

    await commitEcho(jobId);

    const job = await waitFor(() => echoQueue.getJob(jobId), 2_000, 'the job from the sweep');
    expect(job.opts.attempts).toBe(3);
  });

  it('yields one job when the relay died between the add and the mark', async () => {
    const jobId = randomUUID();
    await commitEcho(jobId, 'once');
    // The add went through, the mark did not: the row is still unsent.
    await producer.addRecord({ jobName: 'test.echo', jobId, payload: { value: 'once' } });

    await relayWith().sweep();

    const matching = (await echoQueue.getJobs(['waiting'])).filter((job) => job.id === jobId);
    expect(matching).toHaveLength(1);
    expect((await outboxRow(jobId))?.sent_at).toBeInstanceOf(Date);
  });

  it('keeps the row with last_error while Redis is unreachable, then sends it', async () => {
    const jobId = randomUUID();
    await commitEcho(jobId, 'later');
    const unreachable = createTestProducer(prefix, {
      url: 'redis://127.0.0.1:1',
      addTimeoutMs: 300,
    });
    try {
      await relayWith({ producer: unreachable }).sweep();

      const kept = await outboxRow(jobId);
      expect(kept?.sent_at).toBeNull();
      expect(kept?.attempts).toBe(1);
      expect(kept?.last_error).toMatch(/did not accept test\.echo within 300 ms/);
      expect(await echoQueue.getJob(jobId)).toBeUndefined();
    } finally {
      await unreachable.close();
    }

    await relayWith().sweep();

    expect((await echoQueue.getJob(jobId))?.data).toEqual({ value: 'later' });
    expect(await outboxRow(jobId)).toMatchObject({ last_error: null, attempts: 1 });
  });

  it('puts a row the catalog refuses aside for an hour and still sends the rows after it', async () => {
    const ghostId = randomUUID();
    const jobId = randomUUID();
    await db()
      .insertInto('job_outbox')
      .values({ job_name: 'ghost.job', job_id: ghostId, payload: '{}' })
      .execute();
    await commitEcho(jobId);

    await relayWith().sweep();

    const ghost = await outboxRow(ghostId);
    expect(ghost?.sent_at).toBeNull();
    expect(ghost?.last_error).toBe('unknown job "ghost.job"');
    const waitMs = (ghost?.available_at.getTime() ?? 0) - Date.now();
    expect(waitMs).toBeGreaterThan(59 * 60 * 1000);
    expect(await echoQueue.getJob(jobId)).toBeDefined();
  });

  it('waits for the sweep in progress on close and releases its LISTEN connection', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = {
      addRecord: async (job: Parameters<JobProducer['addRecord']>[0]) => {
        await gate;
        return producer.addRecord(job);
      },
    };
    const relay = createOutboxRelay({
      db: db(),
      producer: slow,
      logger,
      listenUrl: ctx.config.postgres.directUrl,
      pollIntervalMs: 60_000,
    });
    await relay.start();
    const jobId = randomUUID();
    await commitEcho(jobId);
    await waitFor(
      async () => {
        const { rows } = await sql<{ count: number }>`
        SELECT count(*)::int AS count FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
        WHERE c.relname = 'job_outbox' AND l.mode = 'RowShareLock'`.execute(db());
        return (rows[0]?.count ?? 0) > 0 ? true : undefined;
      },
      2_000,
      'the sweep to claim the row',
    );

    const closing = relay.close();
    setTimeout(release, 100);
    await closing;

    expect((await outboxRow(jobId))?.sent_at).toBeInstanceOf(Date);
    expect(await relayBackends()).toEqual([]);
  });
});
