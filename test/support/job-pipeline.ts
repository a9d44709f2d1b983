import { pino } from 'pino';

import { bullRedisOptions, createBullConnection } from '../../src/jobs/create-bull-connection.ts';
import { createJobProducer, type JobProducer } from '../../src/jobs/create-job-producer.ts';
import type { JobCatalog } from '../../src/jobs/job-catalog.ts';
import type { JobHandlers } from '../../src/jobs/job-handler.ts';
import { createOutboxRelay, type OutboxRelay } from '../../src/jobs/outbox/create-outbox-relay.ts';
import { startWorkers, type WorkerHost } from '../../src/jobs/start-workers.ts';
import { deleteQueueKeys } from './stand-ins/redis-queue-keys.ts';
import type { TestContext } from './test-context.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });

export interface JobPipeline<C extends JobCatalog> {
  readonly producer: JobProducer<C>;
  readonly relay: OutboxRelay;
  readonly workers: WorkerHost;
  /** Stops workers, relay and producer, then deletes the prefix's queue keys. */
  close(): Promise<void>;
}

/**
 * What the `work` role runs, for one test file: the outbox relay (LISTEN on the test's
 * database) feeding a producer, and workers for `catalog` under the file's own prefix.
 */
export async function startJobPipeline<C extends JobCatalog>(options: {
  readonly ctx: TestContext;
  readonly catalog: C;
  readonly handlers: JobHandlers<C>;
  readonly prefix: string;
  readonly concurrency?: {
    readonly deployments: number;
    readonly pdf: number;
    readonly webhooks: number;
  };
}): Promise<JobPipeline<C>> {
  const { ctx, catalog, prefix } = options;
  const producer = createJobProducer({
    catalog,
    connection: createBullConnection({ url: REDIS_URL, role: 'producer', logger }),
    prefix,
    logger,
  });
  const relay = createOutboxRelay({
    db: ctx.deps.database.db,
    producer,
    logger,
    listenUrl: ctx.config.postgres.directUrl,
  });
  await relay.start();
  const workers = startWorkers({
    catalog,
    handlers: options.handlers,
    connection: bullRedisOptions({ url: REDIS_URL, role: 'worker' }),
    prefix,
    concurrency: options.concurrency ?? { deployments: 1, pdf: 2, webhooks: 2 },
    logger,
  });
  await workers.waitUntilReady();
  return {
    producer,
    relay,
    workers,
    async close() {
      await workers.close();
      await relay.close();
      await producer.close();
      await deleteQueueKeys(REDIS_URL, prefix);
    },
  };
}
