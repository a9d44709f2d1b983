import { randomUUID } from 'node:crypto';

import { type JobsOptions, type JobState, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import { InvalidInputError, toError, UnavailableError } from '../errors/app-error.ts';
import {
  type DefaultJobCatalog,
  findJobDefinition,
  type JobCatalog,
  type JobDefinition,
  type JobInputOf,
  type JobNameOf,
  type QueueName,
} from './job-catalog.ts';
import { settlesWithin, settleWithin } from './settle-within.ts';
import { type JobToAdd, validateJobToAdd } from './validate-job.ts';

export interface JobProducerOptions<C extends JobCatalog> {
  readonly catalog: C;
  /** The producer role's connection (`createBullConnection` role `producer`); closed by close(). */
  readonly connection: Redis;
  /** BullMQ key prefix, the same for producers and workers (JOBS_QUEUE_PREFIX). */
  readonly prefix: string;
  /** An add not accepted within this long fails with UnavailableError. @defaultValue 3_000 */
  readonly addTimeoutMs?: number;
  readonly logger: Logger;
}

/** Where a job is in its queue; `unknown` when Redis does not hold it (never added, or lost). */
export type QueuedJobState = JobState | 'unknown';

export interface AddedJob {
  readonly queue: QueueName;
  readonly jobId: string;
}

export interface JobProducer<C extends JobCatalog = DefaultJobCatalog> {
  /**
   * Validates and queues one job (InvalidInputError when the payload or id is refused,
   * UnavailableError when Redis does not take it in time). A job id already queued or
   * retained is not added twice. Prefer the outbox when the job follows a database write.
   */
  add<N extends JobNameOf<C>>(
    jobName: N,
    payload: JobInputOf<C, N>,
    options?: { readonly jobId?: string },
  ): Promise<AddedJob>;
  /** The same for a job read at run time (an outbox row): the name is checked too. */
  addRecord(job: JobToAdd): Promise<AddedJob>;
  /**
   * Reads a job's state from its queue (UnavailableError when Redis does not answer in time,
   * InvalidInputError for a job name outside the catalog).
   */
  findJobState(jobName: string, jobId: string): Promise<QueuedJobState>;
  close(): Promise<void>;
}

/** The streams of queue events are trimmed to about this many entries. */
const EVENTS_MAX_LENGTH = 1_000;
const CLOSE_TIMEOUT_MS = 2_000;

/** BullMQ options of one job, all from its catalog entry. */
export function jobOptionsOf(definition: JobDefinition, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: definition.attempts,
    backoff: { type: definition.backoff.type, delay: definition.backoff.delayMs },
    removeOnComplete: {
      age: definition.keepCompleted.ageSeconds,
      count: definition.keepCompleted.count,
    },
    removeOnFail: { age: definition.keepFailed.ageSeconds, count: definition.keepFailed.count },
  };
}

/** Adds catalog jobs to their BullMQ queues over one connection. */
export function createJobProducer<C extends JobCatalog>(
  options: JobProducerOptions<C>,
): JobProducer<C> {
  const { catalog, connection, prefix, logger } = options;
  const addTimeoutMs = options.addTimeoutMs ?? 3_000;
  const queues = new Map<QueueName, Promise<Queue>>();
  const opened = new Set<Queue>();
  let closed = false;

  // A queue whose start-up failed stays broken in BullMQ, so it is dropped and made again.
  function queueFor(name: QueueName): Promise<Queue> {
    const existing = queues.get(name);
    if (existing !== undefined) {
      return existing;
    }
    const queue = new Queue(name, {
      connection,
      prefix,
      streams: { events: { maxLen: EVENTS_MAX_LENGTH } },
    });
    // Outages are reported once by the connection; this only keeps 'error' handled.
    queue.on('error', (err) => {
      logger.debug({ err: { message: err.message }, queue: name }, 'job queue error');
    });
    const ready = queue.waitUntilReady().then(() => {
      opened.add(queue);
      return queue;
    });
    ready.catch(() => {
      if (queues.get(name) === ready) {
        queues.delete(name);
      }
      void queue.close().catch(() => undefined);
    });
    queues.set(name, ready);
    return ready;
  }

  const unavailable = (jobName: string, cause?: unknown) =>
    new UnavailableError(
      'dependency.unavailable',
      cause === undefined
        ? `the job queue did not accept ${jobName} within ${String(addTimeoutMs)} ms`
        : `the job queue refused ${jobName}: ${toError(cause).message}`,
      { cause },
    );

  async function addRecord(job: JobToAdd): Promise<AddedJob> {
    if (closed) {
      throw new UnavailableError('dependency.unavailable', 'the job producer is closed');
    }
    const { definition, payload } = validateJobToAdd(catalog, job);
    const queueName = definition.queue;
    const adding = queueFor(queueName).then((queue) =>
      queue.add(job.jobName, payload, jobOptionsOf(definition, job.jobId)),
    );
    try {
      await settleWithin(adding, addTimeoutMs, () => unavailable(job.jobName));
    } catch (err) {
      if (err instanceof UnavailableError || err instanceof InvalidInputError) {
        throw err;
      }
      throw unavailable(job.jobName, err);
    }
    return { queue: queueName, jobId: job.jobId };
  }

  async function findJobState(jobName: string, jobId: string): Promise<QueuedJobState> {
    if (closed) {
      throw new UnavailableError('dependency.unavailable', 'the job producer is closed');
    }
    const definition = findJobDefinition(catalog, jobName);
    if (definition === undefined) {
      throw new InvalidInputError('request.invalid', `unknown job "${jobName}"`);
    }
    const reading = queueFor(definition.queue).then((queue) => queue.getJobState(jobId));
    try {
      return await settleWithin(
        reading,
        addTimeoutMs,
        () =>
          new UnavailableError(
            'dependency.unavailable',
            `the job queue did not answer for ${jobName} within ${String(addTimeoutMs)} ms`,
          ),
      );
    } catch (err) {
      if (err instanceof UnavailableError) {
        throw err;
      }
      throw unavailable(jobName, err);
    }
  }

  return {
    add(jobName, payload, addOptions) {
      return addRecord({ jobName, jobId: addOptions?.jobId ?? randomUUID(), payload });
    },
    addRecord,
    findJobState,
    async close() {
      if (closed) {
        return;
      }
      closed = true;
      // Queues share the connection (BullMQ leaves it open): close them, then the connection.
      // Queues still starting give up when the connection closes below.
      await Promise.all([...opened].map((queue) => queue.close().catch(() => undefined)));
      opened.clear();
      queues.clear();
      await settlesWithin(connection.quit(), CLOSE_TIMEOUT_MS);
      // quit() cannot reach a Redis that is down; the reconnect loop must still stop.
      if (connection.status !== 'end') {
        connection.disconnect();
      }
    },
  };
}
