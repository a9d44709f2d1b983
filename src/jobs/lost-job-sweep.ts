import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../db/database-types.ts';
import { withTransaction } from '../db/transaction-scope.ts';
import type { JobProducer } from './create-job-producer.ts';
import type { DefaultJobCatalog, JobInputOf, JobName } from './job-catalog.ts';
import type { EnqueueInTransaction } from './outbox/enqueue-in-transaction.ts';
import { hasUnsentOutboxJob } from './outbox/job-outbox.repository.ts';

// PostgreSQL is the source of truth for unfinished work; BullMQ on Redis only carries it
// (R-SEC-3). A Redis that restarts without persistence, fails over to an empty replica or is
// flushed loses waiting and delayed jobs. This sweep, in the `work` role, finds unfinished
// rows whose job is gone and queues them again through the outbox.

/** What a source asks about one job. */
export interface JobPresence {
  /** Waiting in the outbox, or in a state in which BullMQ will still run it. */
  isQueued(jobName: string, jobId: string): Promise<boolean>;
  /** Neither in the outbox nor known to BullMQ in any state (not even completed or failed). */
  isMissing(jobName: string, jobId: string): Promise<boolean>;
}

/** One kind of unfinished work: finds its rows idle past `overdueMs` and requeues the lost. */
export interface LostJobSource {
  readonly name: string;
  recover(input: { readonly overdueMs: number; readonly jobs: JobPresence }): Promise<number>;
}

/** States in which a job will still run; a finished or unknown one will not. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * A source for jobs whose id is their row's id (a deployment, an export): each stalled row
 * whose job is missing gets the same job again, which resumes where the row stands.
 */
export function createFixedIdJobSource<N extends JobName>(options: {
  readonly jobName: N;
  readonly db: Kysely<Database>;
  readonly enqueueInTransaction: EnqueueInTransaction;
  /** Unfinished rows untouched for `idleMs`, as job id and payload. */
  readonly findStalled: (
    idleMs: number,
  ) => Promise<
    readonly { readonly jobId: string; readonly payload: JobInputOf<DefaultJobCatalog, N> }[]
  >;
}): LostJobSource {
  const { jobName, db, enqueueInTransaction, findStalled } = options;
  return {
    name: jobName,
    async recover({ overdueMs, jobs }) {
      let requeued = 0;
      for (const { jobId, payload } of await findStalled(overdueMs)) {
        if (await jobs.isMissing(jobName, jobId)) {
          await withTransaction(db, (trx) =>
            enqueueInTransaction(trx, { jobName, jobId, payload }),
          );
          requeued += 1;
        }
      }
      return requeued;
    },
  };
}

export interface LostJobSweepOptions {
  readonly db: Kysely<Database>;
  readonly producer: Pick<JobProducer, 'findJobState'>;
  readonly sources: readonly LostJobSource[];
  /** How often to look; work idle longer than this without its job is queued again. */
  readonly intervalMs: number;
  readonly logger: Logger;
}

export interface LostJobSweep {
  /** Sweeps now, or joins the sweep in progress. */
  sweep(): Promise<void>;
  /** Stops the timer and waits for the sweep in progress. */
  close(): Promise<void>;
}

export function startLostJobSweep(options: LostJobSweepOptions): LostJobSweep {
  const { db, producer, sources, intervalMs, logger } = options;
  let running: Promise<void> | undefined;
  let closed = false;

  const jobs: JobPresence = {
    async isQueued(jobName, jobId) {
      if (await hasUnsentOutboxJob(db, jobName, jobId)) {
        return true;
      }
      return LIVE_STATES.has(await producer.findJobState(jobName, jobId));
    },
    async isMissing(jobName, jobId) {
      if (await hasUnsentOutboxJob(db, jobName, jobId)) {
        return false;
      }
      return (await producer.findJobState(jobName, jobId)) === 'unknown';
    },
  };

  async function sweepOnce(): Promise<void> {
    for (const source of sources) {
      try {
        const requeued = await source.recover({ overdueMs: intervalMs, jobs });
        if (requeued > 0) {
          logger.warn(
            { source: source.name, requeued },
            'unfinished work without a job was queued again',
          );
        }
      } catch (err) {
        // Redis or PostgreSQL is away; the next interval tries again.
        logger.warn({ err, source: source.name }, 'lost-job sweep failed');
      }
    }
  }

  function sweep(): Promise<void> {
    if (closed) {
      return Promise.resolve();
    }
    running ??= sweepOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(() => {
    void sweep();
  }, intervalMs);

  return {
    sweep,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
