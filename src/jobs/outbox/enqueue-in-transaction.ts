import type { Transaction } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { InvalidInputError } from '../../errors/app-error.ts';
import {
  type DefaultJobCatalog,
  JOB_CATALOG,
  type JobCatalog,
  type JobInputOf,
  type JobNameOf,
} from '../job-catalog.ts';
import { validateJobToAdd } from '../validate-job.ts';
import { insertOutboxJob } from './job-outbox.repository.ts';

export interface OutboxJob<C extends JobCatalog, N extends JobNameOf<C>> {
  readonly jobName: N;
  /** Deterministic (the deployment or export id): a job re-sent after a crash is not doubled. */
  readonly jobId: string;
  readonly payload: JobInputOf<C, N>;
  /**
   * Relayed to the queue only this long after the transaction's start (PostgreSQL's clock), so
   * a job due hours from now waits in PostgreSQL, not in Redis. @defaultValue 0
   */
  readonly delayMs?: number;
}

/**
 * Writes a job in the caller's transaction: it reaches its queue only if the transaction
 * commits, and it is not lost if Redis is down then. Throws InvalidInputError for a payload
 * the catalog refuses, which aborts the caller's transaction with it.
 */
export type EnqueueInTransaction<C extends JobCatalog = DefaultJobCatalog> = <
  N extends JobNameOf<C>,
>(
  trx: Transaction<Database>,
  job: OutboxJob<C, N>,
) => Promise<void>;

export function createOutboxEnqueuer<C extends JobCatalog>(catalog: C): EnqueueInTransaction<C> {
  return async (trx, job) => {
    const { payload } = validateJobToAdd(catalog, job);
    if (job.delayMs !== undefined && !(Number.isFinite(job.delayMs) && job.delayMs >= 0)) {
      throw new InvalidInputError('request.invalid', `invalid delay for ${job.jobName}`, {
        fieldIssues: [{ path: 'delayMs', message: 'must be a finite number of ms, at least 0' }],
      });
    }
    await insertOutboxJob(trx, {
      jobName: job.jobName,
      jobId: job.jobId,
      payload,
      delayMs: job.delayMs ?? 0,
    });
  };
}

/** `EnqueueInTransaction` for JOB_CATALOG. */
export const enqueueInTransaction: EnqueueInTransaction = createOutboxEnqueuer(JOB_CATALOG);
