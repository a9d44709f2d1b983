import { randomUUID } from 'node:crypto';

import type { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../src/errors/app-error.ts';
import { bullRedisOptions } from '../../../src/jobs/create-bull-connection.ts';
import type { JobProducer } from '../../../src/jobs/create-job-producer.ts';
import {
  createDeliverWebhookJob,
  type DeliverWebhookPayload,
} from '../../../src/jobs/handlers/deliver-webhook.job.ts';
import { JOB_CATALOG, type JobCatalog } from '../../../src/jobs/job-catalog.ts';
import type { JobObserver, JobOutcome, JobRunEvent } from '../../../src/jobs/job-handler.ts';
import { startWorkers, type WorkerHost } from '../../../src/jobs/start-workers.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import {
  CONCURRENCY,
  createTestProducer,
  logger,
  openQueue,
  REDIS_URL,
  startTestWorkers,
  TEST_CATALOG,
  type TestCatalog,
  waitFor,
  waitForJobState,
} from './job-test-support.ts';

const prefix = uniqueQueuePrefix();
let producer: JobProducer<TestCatalog>;
let echoQueue: Queue;
let renderQueue: Queue;
const hosts: WorkerHost[] = [];

beforeAll(() => {
  producer = createTestProducer(prefix);
  echoQueue = openQueue(prefix, 'webhooks');
  renderQueue = openQueue(prefix, 'pdf');
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
  await Promise.all([
    echoQueue.obliterate({ force: true }),
    renderQueue.obliterate({ force: true }),
  ]);
});

afterAll(async () => {
  await producer.close();
  await Promise.all([echoQueue.close(), renderQueue.close()]);
  await deleteQueueKeys(REDIS_URL, prefix);
});

function host(...args: Parameters<typeof startTestWorkers<TestCatalog>>): WorkerHost {
  const started = startTestWorkers(...args);
  hosts.push(started);
  return started;
}

function recordingObserver() {
  const completed: JobRunEvent[] = [];
  const failed: (JobRunEvent & { willRetry: boolean; reason: string })[] = [];
  const observer: JobObserver = {
    onCompleted: (event) => completed.push(event),
    onFailed: (event) => failed.push(event),
  };
  return { observer, completed, failed };
}

const done = (): Promise<JobOutcome> => Promise.resolve({ status: 'done' });

describe(startWorkers.name, () => {
  it('runs the handler with the parsed payload and reports the run to the observer', async () => {
    const seen: unknown[] = [];
    const { observer, completed } = recordingObserver();
    await host(
      prefix,
      {
        'test.echo': (payload, context) => {
          seen.push({ payload, attempt: context.attempt, maxAttempts: context.maxAttempts });
          return done();
        },
        'test.render': done,
      },
      { observer },
    ).waitUntilReady();

    const { jobId } = await producer.add('test.echo', { value: 'hello' });

    const job = await waitForJobState(echoQueue, jobId, 'completed');
    expect(job.returnvalue).toEqual({ status: 'done' });
    expect(seen).toEqual([{ payload: { value: 'hello' }, attempt: 1, maxAttempts: 3 }]);
    expect(completed).toMatchObject([{ jobName: 'test.echo', queue: 'webhooks', attempt: 1 }]);
    expect(completed[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('fails a job whose payload is invalid at take, once and with the reason, and keeps working', async () => {
    const handled: string[] = [];
    const { observer, failed } = recordingObserver();
    await host(
      prefix,
      {
        'test.echo': ({ value }) => {
          handled.push(value);
          return done();
        },
        'test.render': done,
      },
      { observer },
    ).waitUntilReady();

    // A raw add skips the producer's validation, as an older release or a hand-made job would.
    const bad = await echoQueue.add('test.echo', { value: 42 }, { attempts: 3 });
    const good = await producer.add('test.echo', { value: 'after' });

    const failedJob = await waitForJobState(echoQueue, bad.id ?? '', 'failed');
    expect(failedJob.failedReason).toMatch(/^invalid payload for test\.echo: value /);
    expect(failedJob.attemptsMade).toBe(1);
    await waitForJobState(echoQueue, good.jobId, 'completed');
    expect(handled).toEqual(['after']);
    expect(failed).toMatchObject([{ jobName: 'test.echo', willRetry: false }]);
  });

  it('fails a job name missing from the catalog without running anything', async () => {
    await host(prefix, { 'test.echo': done, 'test.render': done }).waitUntilReady();

    const stray = await echoQueue.add('ghost.job', { value: 'x' }, { attempts: 5 });

    const failedJob = await waitForJobState(echoQueue, stray.id ?? '', 'failed');
    expect(failedJob.failedReason).toBe('unknown job "ghost.job"');
    expect(failedJob.attemptsMade).toBe(1);
  });

  it('retries a failing run with the catalog backoff, then completes', async () => {
    const startedAt: number[] = [];
    await host(prefix, {
      'test.echo': done,
      'test.render': () => {
        startedAt.push(Date.now());
        return startedAt.length < 3
          ? Promise.reject(new Error('renderer crashed'))
          : Promise.resolve({ status: 'done' });
      },
    }).waitUntilReady();

    const { jobId } = await producer.add('test.render', { pages: 2 });

    const job = await waitForJobState(renderQueue, jobId, 'completed');
    expect(job.attemptsMade).toBe(3);
    expect(startedAt).toHaveLength(3);
    // Fixed backoff of 100 ms between tries.
    expect((startedAt[1] ?? 0) - (startedAt[0] ?? 0)).toBeGreaterThanOrEqual(95);
    expect((startedAt[2] ?? 0) - (startedAt[1] ?? 0)).toBeGreaterThanOrEqual(95);
  });

  it('fails a caller fault at once: no retry for an InvalidInputError', async () => {
    let runs = 0;
    const { observer, failed } = recordingObserver();
    await host(
      prefix,
      {
        'test.echo': () => {
          runs += 1;
          return Promise.reject(new InvalidInputError('request.invalid', 'content is not valid'));
        },
        'test.render': done,
      },
      { observer },
    ).waitUntilReady();

    const { jobId } = await producer.add('test.echo', { value: 'x' });

    const job = await waitForJobState(echoQueue, jobId, 'failed');
    expect(job.failedReason).toBe('content is not valid');
    expect(job.attemptsMade).toBe(1);
    expect(runs).toBe(1);
    expect(failed).toMatchObject([{ willRetry: false, reason: 'content is not valid' }]);
  });

  it('trims completed jobs to the catalog count so Redis does not grow', async () => {
    await host(prefix, { 'test.echo': done, 'test.render': done }).waitUntilReady();

    const ids: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      ids.push((await producer.add('test.echo', { value: `v${String(index)}` })).jobId);
    }

    await waitFor(async () => {
      const counts = await echoQueue.getJobCounts('waiting', 'active', 'delayed');
      return counts.waiting === 0 && counts.active === 0 && counts.delayed === 0 ? true : undefined;
    });
    const remaining = await echoQueue.getJobs(['completed']);
    expect(remaining).toHaveLength(2);
    expect(ids.filter((id) => remaining.some((job) => job.id === id))).toHaveLength(2);
  });
});

describe(`${startWorkers.name} close`, () => {
  it('lets an active job finish within the grace period and leaves none active', async () => {
    let finished = false;
    const workers = startTestWorkers(
      prefix,
      {
        'test.echo': async () => {
          await new Promise((resolve) => setTimeout(resolve, 800));
          finished = true;
          return { status: 'done' };
        },
        'test.render': done,
      },
      { graceMs: 5_000 },
    );
    await workers.waitUntilReady();
    const { jobId } = await producer.add('test.echo', { value: 'slow' });
    await waitForJobState(echoQueue, jobId, 'active');

    await workers.close();

    expect(finished).toBe(true);
    expect(await (await echoQueue.getJob(jobId))?.getState()).toBe('completed');
    expect(await echoQueue.getActiveCount()).toBe(0);
  });

  it('hands a job that outlives the grace back to the queue without using an attempt', async () => {
    const workers = startTestWorkers(
      prefix,
      {
        'test.echo': (_, { signal }) =>
          new Promise<JobOutcome>((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              reject(new Error('aborted'));
            });
          }),
        'test.render': done,
      },
      { graceMs: 300, handBackMs: 2_000 },
    );
    await workers.waitUntilReady();
    const { jobId } = await producer.add('test.echo', { value: 'endless' });
    await waitForJobState(echoQueue, jobId, 'active');

    const startedAt = Date.now();
    await workers.close();

    expect(Date.now() - startedAt).toBeLessThan(2_000);
    const job = await echoQueue.getJob(jobId);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    expect(await echoQueue.getActiveCount()).toBe(0);

    await host(prefix, { 'test.echo': done, 'test.render': done }).waitUntilReady();
    await waitForJobState(echoQueue, jobId, 'completed');
  });

  it('closes at once when Redis was never reached', async () => {
    const workers = startWorkers({
      catalog: TEST_CATALOG,
      handlers: { 'test.echo': done, 'test.render': done },
      connection: bullRedisOptions({ url: 'redis://127.0.0.1:1', role: 'worker' }),
      prefix,
      concurrency: CONCURRENCY,
      logger,
      graceMs: 500,
      handBackMs: 200,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const startedAt = Date.now();
    await workers.close();

    // Nothing can be running, so it does not sit out the grace period either.
    expect(Date.now() - startedAt).toBeLessThan(400);
  });
});

describe(createDeliverWebhookJob.name, () => {
  // The real catalog entry, with waits short enough for a test.
  const catalog = {
    'webhook.deliver': {
      ...JOB_CATALOG['webhook.deliver'],
      backoff: { type: 'fixed', delayMs: 50 },
    },
  } as const satisfies JobCatalog;

  it.each([
    [{ status: 'retrying', attempt: 1, nextAttemptInMs: 5_000 }],
    [{ status: 'deferred', reason: 'the receiver failed repeatedly; sending paused' }],
    [{ status: 'failed', reason: 'attempt 8 was the last of the schedule' }],
  ] as const)(
    'completes the run once its outcome is recorded (%o): the next attempt is a job of its own',
    async (result) => {
      const deliveryId = randomUUID();
      const runs: DeliverWebhookPayload[] = [];
      const workers = startTestWorkers(
        prefix,
        {
          'webhook.deliver': createDeliverWebhookJob({
            deliver: (run) => {
              runs.push(run);
              return Promise.resolve(result);
            },
          }),
        },
        { catalog },
      );
      hosts.push(workers);
      await workers.waitUntilReady();
      const jobId = `webhook-${deliveryId}-3`;

      await echoQueue.add('webhook.deliver', { deliveryId, run: 3 }, { jobId, attempts: 5 });

      const job = await waitForJobState(echoQueue, jobId, 'completed');
      expect(runs).toEqual([{ deliveryId, run: 3 }]);
      expect(job.attemptsMade).toBe(1);
    },
  );

  it('retries a run that could not record its outcome', async () => {
    const deliveryId = randomUUID();
    let calls = 0;
    const workers = startTestWorkers(
      prefix,
      {
        'webhook.deliver': createDeliverWebhookJob({
          deliver: () => {
            calls += 1;
            return calls === 1
              ? Promise.reject(new Error('Connection terminated unexpectedly'))
              : Promise.resolve({ status: 'succeeded', attempt: 1 });
          },
        }),
      },
      { catalog },
    );
    hosts.push(workers);
    await workers.waitUntilReady();
    const jobId = `webhook-${deliveryId}-0`;

    await echoQueue.add('webhook.deliver', { deliveryId, run: 0 } satisfies DeliverWebhookPayload, {
      jobId,
      attempts: catalog['webhook.deliver'].attempts,
      backoff: { type: 'fixed', delay: 50 },
    });

    const job = await waitForJobState(echoQueue, jobId, 'completed');
    expect(calls).toBe(2);
    expect(job.attemptsMade).toBe(2);
  });
});
