import type { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { IntegrationRateLimitedError } from '../../../src/integrations/resilience/integration-errors.ts';
import type { JobProducer } from '../../../src/jobs/create-job-producer.ts';
import { DeferJobError } from '../../../src/jobs/defer-job-error.ts';
import type { JobOutcome, JobRunEvent } from '../../../src/jobs/job-handler.ts';
import { startWorkers, type WorkerHost } from '../../../src/jobs/start-workers.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import {
  createTestProducer,
  openQueue,
  REDIS_URL,
  startTestWorkers,
  type TestCatalog,
  waitForJobState,
  waitUntil,
} from './job-test-support.ts';

const prefix = uniqueQueuePrefix();
let producer: JobProducer<TestCatalog>;
let echoQueue: Queue;
const hosts: WorkerHost[] = [];

beforeAll(() => {
  producer = createTestProducer(prefix);
  echoQueue = openQueue(prefix, 'webhooks');
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
  await echoQueue.obliterate({ force: true });
});

afterAll(async () => {
  await producer.close();
  await echoQueue.close();
  await deleteQueueKeys(REDIS_URL, prefix);
});

const done = (): Promise<JobOutcome> => Promise.resolve({ status: 'done' });

function rateLimited(blockedUntil: number): IntegrationRateLimitedError {
  return new IntegrationRateLimitedError('dns', 'dns is rate limited', {
    blockedUntil,
    fromVendor: true,
  });
}

describe(`${startWorkers.name}: runs stopped by a rate limit`, () => {
  it('delays a job until the vendor block ends, without using an attempt', async () => {
    const attempts: number[] = [];
    const delayed: (JobRunEvent & { untilMs: number })[] = [];
    let blockedUntil = 0;
    const started = startTestWorkers(
      prefix,
      {
        'test.echo': (_payload, context) => {
          attempts.push(context.attempt);
          if (attempts.length === 1) {
            blockedUntil = Date.now() + 600;
            // Wrapped, as a feature may wrap it: the cause chain still says until when.
            throw new Error('could not list records', { cause: rateLimited(blockedUntil) });
          }
          return done();
        },
        'test.render': done,
      },
      { observer: { onDelayed: (event) => delayed.push(event) } },
    );
    hosts.push(started);
    await started.waitUntilReady();

    const { jobId } = await producer.add('test.echo', { value: 'x' });

    await waitUntil(() => delayed.length === 1, 5_000, 'the delay');
    expect(await echoQueue.getJobState(jobId)).toBe('delayed');
    const job = await waitForJobState(echoQueue, jobId, 'completed', 5_000);
    expect(attempts).toEqual([1, 1]);
    expect(job.attemptsMade).toBe(1);
    expect(job.finishedOn).toBeGreaterThanOrEqual(blockedUntil);
    expect(delayed[0]).toMatchObject({ jobName: 'test.echo', untilMs: blockedUntil });
  });

  it('delays a job that throws DeferJobError, even on its last attempt', async () => {
    const attempts: number[] = [];
    const started = startTestWorkers(prefix, {
      'test.echo': (_payload, context) => {
        attempts.push(context.attempt);
        if (attempts.length === 1) {
          throw new Error('first failure');
        }
        if (attempts.length === 2) {
          throw new Error('second failure');
        }
        if (attempts.length === 3) {
          throw new DeferJobError(Date.now() + 200, 'waits for a rate limit');
        }
        return done();
      },
      'test.render': done,
    });
    hosts.push(started);
    await started.waitUntilReady();

    const { jobId } = await producer.add('test.echo', { value: 'x' });

    const job = await waitForJobState(echoQueue, jobId, 'completed', 8_000);
    expect(attempts).toEqual([1, 2, 3, 3]);
    expect(job.attemptsMade).toBe(3);
  });

  it('fails a rate limit that has already ended like any retryable failure', async () => {
    const attempts: number[] = [];
    const started = startTestWorkers(prefix, {
      'test.echo': (_payload, context) => {
        attempts.push(context.attempt);
        if (attempts.length === 1) {
          throw rateLimited(Date.now() - 1_000);
        }
        return done();
      },
      'test.render': done,
    });
    hosts.push(started);
    await started.waitUntilReady();

    const { jobId } = await producer.add('test.echo', { value: 'x' });

    await waitForJobState(echoQueue, jobId, 'completed', 5_000);
    expect(attempts).toEqual([1, 2]);
  });
});
