import { bullRedisOptions, createBullConnection } from '../jobs/create-bull-connection.ts';
import { createJobHandlers } from '../jobs/create-job-handlers.ts';
import { createJobProducer } from '../jobs/create-job-producer.ts';
import { JOB_CATALOG } from '../jobs/job-catalog.ts';
import { startLostJobSweep } from '../jobs/lost-job-sweep.ts';
import { createOutboxRelay } from '../jobs/outbox/create-outbox-relay.ts';
import { startWorkers } from '../jobs/start-workers.ts';
import { createJobMetrics } from '../metrics/job-metrics.ts';
import type { Deps } from './create-deps.ts';
import { createJobHandlerDeps } from './create-job-handler-deps.ts';
import { createLostJobSources } from './create-lost-job-sources.ts';

/**
 * The `work` role: the outbox relay (rows written by requests → BullMQ jobs with deterministic
 * ids), one worker per queue of the catalog, and the sweep that queues again unfinished work
 * whose job Redis lost. Registered for shutdown so a stop closes the sweep and the
 * relay first, then the producer, then the workers (which finish or hand back active jobs).
 */
export function startJobProcessing(deps: Deps): void {
  const { config, logger, shutdown } = deps;
  const jobLogger = logger.child({ component: 'jobs' });

  const workers = startWorkers({
    catalog: JOB_CATALOG,
    handlers: createJobHandlers(createJobHandlerDeps(deps)),
    connection: bullRedisOptions({ url: config.redis.url, role: 'worker' }),
    prefix: config.jobs.prefix,
    concurrency: config.jobs.concurrency,
    graceMs: config.jobs.shutdownGraceMs,
    logger: jobLogger,
    observer: createJobMetrics(deps.metrics),
  });
  shutdown.register('job-workers', () => workers.close());

  const producer = createJobProducer({
    catalog: JOB_CATALOG,
    connection: createBullConnection({
      url: config.redis.url,
      role: 'producer',
      logger: jobLogger,
      commandTimeoutMs: config.jobs.addTimeoutMs,
    }),
    prefix: config.jobs.prefix,
    addTimeoutMs: config.jobs.addTimeoutMs,
    logger: jobLogger,
  });
  shutdown.register('job-producer', () => producer.close());

  const relay = createOutboxRelay({
    db: deps.database.db,
    producer,
    logger: jobLogger,
    ...(config.jobs.outbox.listen ? { listenUrl: config.postgres.directUrl } : {}),
    pollIntervalMs: config.jobs.outbox.pollIntervalMs,
    batchSize: config.jobs.outbox.batchSize,
  });
  shutdown.register('outbox-relay', () => relay.close());
  void relay.start();

  const sweep = startLostJobSweep({
    db: deps.database.db,
    producer,
    sources: createLostJobSources(deps),
    intervalMs: config.jobs.recoveryIntervalMs,
    logger: jobLogger,
  });
  shutdown.register('lost-job-sweep', () => sweep.close());
}
