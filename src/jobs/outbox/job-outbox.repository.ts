import { type Kysely, sql, type Transaction } from 'kysely';

import type { Database } from '../../db/database-types.ts';

/** The NOTIFY channel a committed outbox row wakes the relay on. */
export const OUTBOX_CHANNEL = 'job_outbox';

export interface OutboxRow {
  readonly id: string;
  readonly jobName: string;
  readonly jobId: string;
  readonly payload: unknown;
  readonly attempts: number;
}

/**
 * Inserts one job in the caller's transaction and notifies the relay, which PostgreSQL
 * delivers only if that transaction commits. A job (name, id) already waiting is kept as is.
 * A job with a delay becomes due `delayMs` after the transaction started.
 */
export async function insertOutboxJob(
  trx: Transaction<Database>,
  job: {
    readonly jobName: string;
    readonly jobId: string;
    readonly payload: unknown;
    readonly delayMs: number;
  },
): Promise<void> {
  await trx
    .insertInto('job_outbox')
    .values({
      job_name: job.jobName,
      job_id: job.jobId,
      payload: JSON.stringify(job.payload),
      ...(job.delayMs > 0
        ? { available_at: sql<Date>`now() + make_interval(secs => ${job.delayMs / 1000})` }
        : {}),
    })
    .onConflict((conflict) =>
      conflict.columns(['job_name', 'job_id']).where('sent_at', 'is', null).doNothing(),
    )
    .execute();
  await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
}

/** Locks up to `limit` due, unsent rows, oldest first; rows another relay holds are skipped. */
export async function claimDueOutboxRows(
  trx: Transaction<Database>,
  limit: number,
): Promise<OutboxRow[]> {
  const rows = await trx
    .selectFrom('job_outbox')
    .select(['id', 'job_name', 'job_id', 'payload', 'attempts'])
    .where('sent_at', 'is', null)
    .where('available_at', '<=', sql<Date>`now()`)
    .orderBy('available_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((row) => ({
    id: row.id,
    jobName: row.job_name,
    jobId: row.job_id,
    payload: row.payload,
    attempts: row.attempts,
  }));
}

export async function markOutboxRowsSent(
  trx: Transaction<Database>,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await trx
    .updateTable('job_outbox')
    .set({ sent_at: sql<Date>`now()`, last_error: null })
    .where('id', 'in', ids)
    .execute();
}

/** Keeps the row unsent with the reason; `retryAfterMs` postpones its next try. */
export async function recordOutboxFailure(
  trx: Transaction<Database>,
  id: string,
  error: string,
  retryAfterMs?: number,
): Promise<void> {
  await trx
    .updateTable('job_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error,
      ...(retryAfterMs === undefined
        ? {}
        : { available_at: sql<Date>`now() + make_interval(secs => ${retryAfterMs / 1000})` }),
    }))
    .where('id', '=', id)
    .execute();
}

/** Whether the job (name, id) is still waiting in the outbox to reach its queue. */
export async function hasUnsentOutboxJob(
  db: Kysely<Database>,
  jobName: string,
  jobId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('job_outbox')
    .select('id')
    .where('job_name', '=', jobName)
    .where('job_id', '=', jobId)
    .where('sent_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes up to `limit` rows sent more than `olderThanMs` ago; returns how many. */
export async function deleteSentOutboxRows(
  db: Kysely<Database>,
  olderThanMs: number,
  limit: number,
): Promise<number> {
  const result = await db
    .deleteFrom('job_outbox')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('job_outbox')
        .select('id')
        .where('sent_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
