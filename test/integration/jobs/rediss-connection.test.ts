import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UnavailableError } from '../../../src/errors/app-error.ts';
import {
  bullRedisOptions,
  createBullConnection,
} from '../../../src/jobs/create-bull-connection.ts';
import { createJobProducer } from '../../../src/jobs/create-job-producer.ts';
import type { JobOutcome } from '../../../src/jobs/job-handler.ts';
import { startWorkers } from '../../../src/jobs/start-workers.ts';
import {
  createRedisTlsFiles,
  type RedisServerProcess,
  type RedisTlsFiles,
  startRedisServer,
} from '../../support/stand-ins/redis-server-process.ts';
import { CONCURRENCY, logger, TEST_CATALOG, waitUntil } from './job-test-support.ts';

const prefix = 'tls';
let tls: RedisTlsFiles;
let server: RedisServerProcess;

beforeAll(async () => {
  tls = await createRedisTlsFiles();
  server = await startRedisServer({ tls });
});

afterAll(async () => {
  await server.close();
  await tls.remove();
});

function producerFor(trust: { ca: string } | undefined, addTimeoutMs = 3_000) {
  return createJobProducer({
    catalog: TEST_CATALOG,
    connection: createBullConnection({
      url: server.url,
      role: 'producer',
      logger,
      ...(trust === undefined ? {} : { tls: trust }),
    }),
    prefix,
    addTimeoutMs,
    logger,
  });
}

describe('rediss:// job connections', () => {
  it('carries jobs from a producer to a worker over TLS', async () => {
    expect(server.url).toMatch(/^rediss:\/\//);
    const handled: string[] = [];
    const producer = producerFor({ ca: tls.certificate });
    const workers = startWorkers({
      catalog: TEST_CATALOG,
      handlers: {
        'test.echo': ({ value }): Promise<JobOutcome> => {
          handled.push(value);
          return Promise.resolve({ status: 'done' });
        },
        'test.render': () => Promise.resolve({ status: 'done' }),
      },
      connection: bullRedisOptions({
        url: server.url,
        role: 'worker',
        tls: { ca: tls.certificate },
      }),
      prefix,
      concurrency: CONCURRENCY,
      logger,
    });
    try {
      await workers.waitUntilReady();

      await producer.add('test.echo', { value: 'sealed' });

      await waitUntil(() => handled.includes('sealed'), 5_000);
    } finally {
      await workers.close();
      await producer.close();
    }
  });

  it('refuses a server whose certificate it does not trust', async () => {
    const producer = producerFor(undefined, 500);
    try {
      const outcome = await producer.add('test.echo', { value: 'x' }).then(
        () => 'added',
        (err: unknown) => err,
      );

      expect(outcome).toBeInstanceOf(UnavailableError);
    } finally {
      await producer.close();
    }
  });
});
