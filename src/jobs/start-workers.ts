import {
  DelayedError,
  type Job,
  type RedisOptions,
  UnrecoverableError,
  WaitingError,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import type { Logger } from 'pino';

import { toError } from '../errors/app-error.ts';
import { findDeferral } from './defer-job-error.ts';
import { isRetryableJobError } from './is-retryable-job-error.ts';
import {
  DEFAULT_RETENTION,
  type JobCatalog,
  type JobRetention,
  listQueues,
  type QueueName,
} from './job-catalog.ts';
import type {
  JobContext,
  JobHandler,
  JobHandlers,
  JobObserver,
  JobOutcome,
} from './job-handler.ts';
import { settlesWithin } from './settle-within.ts';
import { checkJobPayload } from './validate-job.ts';

export interface StartWorkersOptions<C extends JobCatalog> {
  readonly catalog: C;
  readonly handlers: JobHandlers<C>;
  /**
   * Worker-role settings (`bullRedisOptions({ url, role: 'worker' })`). Each Worker opens its
   * own connections from them and closes them in close().
   */
  readonly connection: RedisOptions;
  /** BullMQ key prefix, the same as the producer's. */
  readonly prefix: string;
  /** Jobs run at once per queue in this process (JOBS_*_CONCURRENCY). */
  readonly concurrency: Readonly<Record<QueueName, number>>;
  /** How long close() lets active jobs finish. @defaultValue 7_000 */
  readonly graceMs?: number;
  /** After the grace: how long aborted handlers get to hand their jobs back. @defaultValue 1_000 */
  readonly handBackMs?: number;
  readonly logger: Logger;
  readonly observer?: JobObserver;
  /** BullMQ overrides, for tests of lock and stall handling. */
  readonly workerSettings?: Pick<
    WorkerOptions,
    'lockDuration' | 'stalledInterval' | 'drainDelay' | 'maxStalledCount'
  >;
}

export interface WorkerHost {
  readonly queues: readonly QueueName[];
  /** Resolves once every worker is connected (tests; production does not wait). */
  waitUntilReady(): Promise<void>;
  /**
   * Stops taking jobs and lets active ones finish within the grace period; then aborts the
   * rest, which go back to waiting (not failed, no attempt used). A handler that ignores the
   * abort keeps its lock until it expires and BullMQ's stalled check requeues it.
   */
  close(): Promise<void>;
}

const DISCONNECT_TIMEOUT_MS = 1_000;

/**
 * How many times a job may lose its lock (its worker died or froze) and go back to waiting
 * before BullMQ fails it without ever calling the handler again. BullMQ's default of 1 turns
 * two worker crashes, e.g. during a rolling deploy, into a failed job that no handler got
 * to record; every handler resumes safely, so a few more chances cost nothing.
 */
export const DEFAULT_MAX_STALLED_COUNT = 3;

const keep = (retention: JobRetention) => ({ age: retention.ageSeconds, count: retention.count });

function notify(logger: Logger, hook: () => void): void {
  try {
    hook();
  } catch (err) {
    logger.warn({ err }, 'job observer failed');
  }
}

/** One BullMQ Worker per queue of the catalog, running the catalog's handlers. */
export function startWorkers<C extends JobCatalog>(options: StartWorkersOptions<C>): WorkerHost {
  const { catalog, connection, prefix, logger, observer } = options;
  const handlers = options.handlers as unknown as Readonly<Record<string, JobHandler<unknown>>>;
  const graceMs = options.graceMs ?? 7_000;
  const handBackMs = options.handBackMs ?? 1_000;
  let handingBack = false;

  function createProcessor(queue: QueueName) {
    // Three parameters: BullMQ passes the abort signal only to processors that declare it.
    return async (job: Job<unknown, JobOutcome>, token?: string, signal?: AbortSignal) => {
      const startedAt = performance.now();
      const attempt = job.attemptsMade + 1;
      const maxAttempts = job.opts.attempts ?? 1;
      const jobLogger = logger.child({ jobName: job.name, jobId: job.id, attempt });
      const run = { jobName: job.name, queue, attempt };
      const failed = (reason: string, willRetry: boolean) => {
        const durationMs = performance.now() - startedAt;
        jobLogger.warn({ reason, willRetry }, 'job failed');
        notify(logger, () => observer?.onFailed?.({ ...run, durationMs, willRetry, reason }));
      };

      const check = checkJobPayload(catalog, job.name, job.data);
      const handler = handlers[job.name];
      if (!check.ok || handler === undefined) {
        const reason = check.ok ? `no handler for job "${job.name}"` : check.reason;
        failed(reason, false);
        throw new UnrecoverableError(reason);
      }
      const context: JobContext = {
        jobName: job.name,
        jobId: job.id ?? '',
        attempt,
        maxAttempts,
        signal: signal ?? new AbortController().signal,
        logger: jobLogger,
        updateProgress: (percent) => job.updateProgress(percent),
      };
      try {
        const outcome = await handler(check.payload, context);
        const durationMs = performance.now() - startedAt;
        notify(logger, () => observer?.onCompleted?.({ ...run, durationMs }));
        return outcome;
      } catch (err) {
        if (handingBack && signal?.aborted === true && token !== undefined) {
          // If Redis cannot take it back now, the job's lock expires and the stalled check
          // requeues it; either way it must not count as a failed attempt.
          await job.moveToWait(token).then(
            () => {
              jobLogger.info('worker stopping: job handed back to the queue');
            },
            (moveErr: unknown) => {
              jobLogger.warn({ err: moveErr }, 'could not hand the job back; its lock will expire');
            },
          );
          throw new WaitingError();
        }
        const error = toError(err);
        const deferUntil = findDeferral(err);
        if (deferUntil !== undefined && token !== undefined) {
          // If Redis refuses the move, the run fails as a normal retryable attempt below.
          const moved = await job.moveToDelayed(deferUntil, token).then(
            () => true,
            (moveErr: unknown) => {
              jobLogger.warn({ err: moveErr }, 'could not delay the job; it fails this attempt');
              return false;
            },
          );
          if (moved) {
            const durationMs = performance.now() - startedAt;
            jobLogger.info(
              { until: new Date(deferUntil).toISOString(), reason: error.message },
              'job delayed until a rate limit ends',
            );
            notify(logger, () =>
              observer?.onDelayed?.({
                ...run,
                durationMs,
                untilMs: deferUntil,
                reason: error.message,
              }),
            );
            throw new DelayedError();
          }
        }
        const retryable = !(err instanceof UnrecoverableError) && isRetryableJobError(err);
        failed(error.message, retryable && attempt < maxAttempts);
        throw retryable || error instanceof UnrecoverableError
          ? error
          : new UnrecoverableError(error.message);
      }
    };
  }

  const queues = listQueues(catalog);
  const connected = new Set<Worker>();
  const workers = queues.map((queue) => {
    const worker = new Worker<unknown, JobOutcome>(queue, createProcessor(queue), {
      connection,
      prefix,
      concurrency: options.concurrency[queue],
      // Defaults for jobs added without the producer's options.
      removeOnComplete: keep(DEFAULT_RETENTION.keepCompleted),
      removeOnFail: keep(DEFAULT_RETENTION.keepFailed),
      maxStalledCount: DEFAULT_MAX_STALLED_COUNT,
      ...options.workerSettings,
    });
    // Connection errors repeat while Redis is away; ioredis keeps reconnecting.
    let down = false;
    worker.on('error', (err) => {
      if (!down) {
        down = true;
        logger.warn({ queue, err: { message: err.message } }, 'job worker lost Redis; retrying');
      }
    });
    worker.on('ready', () => {
      connected.add(worker);
      if (down) {
        logger.info({ queue }, 'job worker reconnected');
      }
      down = false;
    });
    return worker;
  });
  logger.info({ queues, concurrency: options.concurrency }, 'job workers started');

  let stopping: Promise<void> | undefined;
  return {
    queues,
    async waitUntilReady() {
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    },
    close() {
      stopping ??= (async () => {
        // A worker that never reached Redis has no jobs, and only a forced close stops its
        // connection attempts (a normal one waits for the connection first).
        const closing = Promise.allSettled(
          workers.map((worker) => worker.close(!connected.has(worker))),
        );
        if (await settlesWithin(closing, graceMs)) {
          return;
        }
        handingBack = true;
        logger.warn({ graceMs }, 'job grace period over; handing active jobs back');
        for (const worker of workers) {
          worker.cancelAllJobs('the worker is shutting down');
        }
        if (await settlesWithin(closing, handBackMs)) {
          return;
        }
        logger.error(
          'jobs still running or Redis unreachable; active jobs requeue when their lock expires',
        );
        // BullMQ's own close waits on Redis without a bound; disconnecting may too.
        await settlesWithin(
          Promise.allSettled(workers.map((worker) => worker.disconnect())),
          DISCONNECT_TIMEOUT_MS,
        );
      })();
      return stopping;
    },
  };
}
