import { type Kysely, sql, type Transaction } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { WebhookDeliveryStatus } from '../../db/tables/webhooks-tables.ts';

// The transitions of a delivery's runs. Each one that moves the schedule names the run it
// expects, so a stale job (an older run, or a duplicate after Redis lost its data) changes
// nothing.

type Trx = Transaction<Database>;

const inMs = (ms: number) => sql<Date>`now() + make_interval(secs => ${ms / 1000})`;

export interface LockedDelivery {
  readonly status: WebhookDeliveryStatus;
  readonly run: number;
  readonly scheduleAttempts: number;
  readonly attemptCount: number;
}

/** Locks the delivery for the rest of the transaction; undefined when it is gone. */
export async function lockDelivery(trx: Trx, id: string): Promise<LockedDelivery | undefined> {
  const row = await trx
    .selectFrom('webhook_deliveries')
    .select(['status', 'run', 'schedule_attempts', 'attempt_count'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        status: row.status,
        run: row.run,
        scheduleAttempts: row.schedule_attempts,
        attemptCount: row.attempt_count,
      };
}

export interface AttemptRecord {
  readonly deliveryId: string;
  readonly attemptNumber: number;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

/** Logs one attempt and counts it on the (locked) delivery. */
export async function insertAttempt(trx: Trx, attempt: AttemptRecord): Promise<void> {
  await trx
    .insertInto('webhook_attempts')
    .values({
      delivery_id: attempt.deliveryId,
      attempt_number: attempt.attemptNumber,
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
    })
    .execute();
  await trx
    .updateTable('webhook_deliveries')
    .set({
      attempt_count: attempt.attemptNumber,
      last_status_code: attempt.statusCode,
      last_error: attempt.error,
    })
    .where('id', '=', attempt.deliveryId)
    .execute();
}

/** Where an attempt leaves the delivery: settled, or pending with its next run. */
export type RunTransition =
  | { readonly status: 'succeeded' | 'failed'; readonly lastError?: string }
  | { readonly status: 'pending'; readonly nextRun: number; readonly delayMs: number };

/** Applies the transition after an attempt of the current run (the row is locked). */
export async function finishRun(trx: Trx, id: string, transition: RunTransition): Promise<void> {
  await trx
    .updateTable('webhook_deliveries')
    .set(
      transition.status === 'pending'
        ? {
            schedule_attempts: sql<number>`schedule_attempts + 1`,
            run: transition.nextRun,
            next_attempt_at: inMs(transition.delayMs),
          }
        : {
            status: transition.status,
            schedule_attempts: sql<number>`schedule_attempts + 1`,
            next_attempt_at: null,
            completed_at: sql<Date>`now()`,
            ...(transition.lastError === undefined ? {} : { last_error: transition.lastError }),
          },
    )
    .where('id', '=', id)
    .execute();
}

/**
 * Moves a pending delivery of run `run` to the next run, due in `delayMs`, without using an
 * attempt (an open breaker, or a job that went missing). Returns the new run, or undefined
 * when the delivery is no longer at that run.
 */
export async function advanceRun(
  trx: Trx,
  id: string,
  run: number,
  delayMs: number,
): Promise<number | undefined> {
  const row = await trx
    .updateTable('webhook_deliveries')
    .set({ run: sql<number>`run + 1`, next_attempt_at: inMs(delayMs) })
    .where('id', '=', id)
    .where('run', '=', run)
    .where('status', '=', 'pending')
    .returning('run')
    .executeTakeFirst();
  return row?.run;
}

/** Fails a pending delivery of run `run` that cannot be sent (endpoint deleted or disabled). */
export async function failRun(
  db: Kysely<Database>,
  id: string,
  run: number,
  reason: string,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({
      status: 'failed',
      last_error: reason,
      next_attempt_at: null,
      completed_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('run', '=', run)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Starts a settled delivery's schedule again (same id and body); attempt numbers continue.
 * Returns the new run, or undefined when the delivery is still pending.
 */
export async function restartDelivery(
  trx: Trx,
  id: string,
  firstDelayMs: number,
): Promise<number | undefined> {
  const row = await trx
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      schedule_attempts: 0,
      run: sql<number>`run + 1`,
      next_attempt_at: inMs(firstDelayMs),
      completed_at: null,
    })
    .where('id', '=', id)
    .where('status', 'in', ['succeeded', 'failed'])
    .returning('run')
    .executeTakeFirst();
  return row?.run;
}

/** Pending deliveries due more than `overdueMs` ago, most overdue first. */
export async function listOverdueDeliveries(
  db: Kysely<Database>,
  overdueMs: number,
  limit: number,
): Promise<{ readonly id: string; readonly run: number }[]> {
  return db
    .selectFrom('webhook_deliveries')
    .select(['id', 'run'])
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<', sql<Date>`now() - make_interval(secs => ${overdueMs / 1000})`)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
}
