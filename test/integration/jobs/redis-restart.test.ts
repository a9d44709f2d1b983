import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UnavailableError } from '../../../src/errors/app-error.ts';
import { bullRedisOptions } from '../../../src/jobs/create-bull-connection.ts';
import type { JobProducer } from '../../../src/jobs/create-job-producer.ts';
import type { JobOutcome } from '../../../src/jobs/job-handler.ts';
import { startWorkers, type WorkerHost } from '../../../src/jobs/start-workers.ts';
import {
  type RedisServerProcess,
  startRedisServer,
} from '../../support/stand-ins/redis-server-process.ts';
import {
  CONCURRENCY,
  createTestProducer,
  logger,
  TEST_CATALOG,
  type TestCatalog,
  waitFor,
  waitUntil,
} from './job-test-support.ts';

const prefix = 'restart';
let server: RedisServerProcess;
let producer: JobProducer<TestCatalog>;
let workers: WorkerHost;
const handled: string[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  producer = createTestProducer(prefix, { url: server.url, addTimeoutMs: 500 });
  workers = startWorkers({
    catalog: TEST_CATALOG,
    handlers: {
      'test.echo': ({ value }): Promise<JobOutcome> => {
        handled.push(value);
        return Promise.resolve({ status: 'done' });
      },
      'test.render': () => Promise.resolve({ status: 'done' }),
    },
    connection: bullRedisOptions({ url: server.url, role: 'worker' }),
    prefix,
    concurrency: CONCURRENCY,
    logger,
    graceMs: 1_000,
    handBackMs: 500,
  });
  await workers.waitUntilReady();
});

afterAll(async () => {
  await workers.close();
  await producer.close();
  await server.close();
});

/** Adds once the producer's connection is back, retrying while it is not. */
async function addWhenReachable(value: string): Promise<void> {
  await waitFor(
    () =>
      producer.add('test.echo', { value }).then(
        () => true,
        () => undefined,
      ),
    10_000,
    'Redis to accept adds again',
  );
}

describe(`${startWorkers.name} across a Redis restart`, () => {
  it('resumes taking jobs after the server is killed and started again on its port', async () => {
    await producer.add('test.echo', { value: 'before' });
    await waitUntil(() => handled.includes('before'), 5_000);

    await server.kill();
    const whileDown = await producer.add('test.echo', { value: 'lost' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    // Down long enough for several failed reconnects and a failed blocking read.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await server.restart();
    const restartedAt = Date.now();
    await addWhenReachable('after');
    await waitUntil(() => handled.includes('after'), 12_000, 'the job after the restart');

    expect(whileDown).toBeInstanceOf(UnavailableError);
    expect(handled).toEqual(['before', 'after']);
    // Reconnect attempts are at most 3 s apart.
    expect(Date.now() - restartedAt).toBeLessThan(5_000);
  }, 20_000);

  it('still closes within its bounds when Redis is down at shutdown', async () => {
    await server.kill();

    const startedAt = Date.now();
    await workers.close();

    // grace 1 s + hand-back 0.5 s + at most 1 s to drop the connections.
    expect(Date.now() - startedAt).toBeLessThan(3_000);
  });
});
