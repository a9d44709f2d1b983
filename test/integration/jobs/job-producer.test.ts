import { randomUUID } from 'node:crypto';

import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InvalidInputError, UnavailableError } from '../../../src/errors/app-error.ts';
import { createJobProducer, type JobProducer } from '../../../src/jobs/create-job-producer.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import { createTestProducer, openQueue, REDIS_URL, type TestCatalog } from './job-test-support.ts';

const prefix = uniqueQueuePrefix();
let producer: JobProducer<TestCatalog>;
let echoQueue: Queue;
let renderQueue: Queue;

beforeAll(() => {
  producer = createTestProducer(prefix);
  echoQueue = openQueue(prefix, 'webhooks');
  renderQueue = openQueue(prefix, 'pdf');
});

afterAll(async () => {
  await producer.close();
  await Promise.all([echoQueue.close(), renderQueue.close()]);
  await deleteQueueKeys(REDIS_URL, prefix);
});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
}

describe(createJobProducer.name, () => {
  it('takes attempts, backoff and trimming of each job from the catalog', async () => {
    const { jobId, queue } = await producer.add('test.render', { pages: 3 });

    expect(queue).toBe('pdf');
    const job = await renderQueue.getJob(jobId);
    expect(job?.name).toBe('test.render');
    expect(job?.data).toEqual({ pages: 3 });
    expect(job?.opts).toMatchObject({
      jobId,
      attempts: 4,
      backoff: { type: 'fixed', delay: 100 },
      removeOnComplete: { age: 600, count: 10 },
      removeOnFail: { age: 1_200, count: 20 },
    });
  });

  it('refuses an invalid payload with InvalidInputError naming the field, and queues nothing', async () => {
    const before = await echoQueue.count();

    const err = await rejectionOf(
      producer.addRecord({ jobName: 'test.echo', jobId: randomUUID(), payload: { value: '' } }),
    );

    expect(err).toBeInstanceOf(InvalidInputError);
    const issues = (err as InvalidInputError).fieldIssues;
    expect(issues.map((issue) => issue.path)).toEqual(['value']);
    expect(issues[0]?.message).toMatch(/>=1 characters/);
    expect(await echoQueue.count()).toBe(before);
  });

  it('refuses a job missing from the catalog and an id BullMQ cannot use', async () => {
    const unknown = await rejectionOf(
      producer.addRecord({ jobName: 'ghost.job', jobId: randomUUID(), payload: {} }),
    );
    const numeric = await rejectionOf(
      producer.add('test.echo', { value: 'x' }, { jobId: '12345' }),
    );
    const colon = await rejectionOf(producer.add('test.echo', { value: 'x' }, { jobId: 'a:b' }));

    expect(unknown).toBeInstanceOf(InvalidInputError);
    expect((unknown as Error).message).toBe('unknown job "ghost.job"');
    expect(numeric).toBeInstanceOf(InvalidInputError);
    expect(colon).toBeInstanceOf(InvalidInputError);
  });

  it('reads where a job is in its queue, and unknown for one Redis does not hold', async () => {
    const { jobId } = await producer.add('test.echo', { value: 'where' });

    expect(await producer.findJobState('test.echo', jobId)).toBe('waiting');
    expect(await producer.findJobState('test.echo', randomUUID())).toBe('unknown');
    expect(await rejectionOf(producer.findJobState('test.missing', jobId))).toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('adds a job id once: a repeated add is ignored', async () => {
    const jobId = randomUUID();

    await producer.add('test.echo', { value: 'first' }, { jobId });
    await producer.add('test.echo', { value: 'second' }, { jobId });

    const jobs = await echoQueue.getJobs(['waiting']);
    expect(jobs.filter((job) => job.id === jobId).map((job) => job.data as unknown)).toEqual([
      { value: 'first' },
    ]);
  });

  it('fails fast with UnavailableError when Redis cannot be reached', async () => {
    const down = createTestProducer(prefix, { url: 'redis://127.0.0.1:1', addTimeoutMs: 300 });
    try {
      const startedAt = Date.now();

      const err = await rejectionOf(down.add('test.echo', { value: 'x' }));

      expect(err).toBeInstanceOf(UnavailableError);
      expect(Date.now() - startedAt).toBeLessThan(1_500);
      // A second add waits on the same connection attempt instead of piling up more.
      expect(await rejectionOf(down.add('test.echo', { value: 'y' }))).toBeInstanceOf(
        UnavailableError,
      );
    } finally {
      await down.close();
    }
  });

  it('refuses adds after close', async () => {
    const closing = createTestProducer(prefix);
    await closing.close();

    expect(await rejectionOf(closing.add('test.echo', { value: 'x' }))).toBeInstanceOf(
      UnavailableError,
    );
  });
});
