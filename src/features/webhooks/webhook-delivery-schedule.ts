import type { Transaction } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';

/** When the attempts of one delivery are made (R-SEC-3), as configured. */
export interface DeliverySchedule {
  /** Wait before each attempt, from the attempt before; its length is the number of attempts. */
  readonly retryScheduleMs: readonly number[];
  /** How long an open breaker puts a delivery off, without using one of its attempts. */
  readonly deferMs: number;
}

/** One job per run of a delivery: a new run (next attempt, deferral, redelivery) gets a new id. */
export function deliveryJobId(deliveryId: string, run: number): string {
  return `webhook-${deliveryId}-${String(run)}`;
}

/**
 * The wait before attempt `index` (0-based) of the current schedule, or undefined once the
 * schedule has no attempt left.
 */
export function delayBeforeAttempt(schedule: DeliverySchedule, index: number): number | undefined {
  return schedule.retryScheduleMs[index];
}

/**
 * Writes the `webhook.deliver` job of one run in the caller's transaction. The outbox holds it
 * until it is due, so a delivery waiting hours for its next attempt waits in PostgreSQL.
 */
export async function enqueueDeliveryRun(
  enqueueInTransaction: EnqueueInTransaction,
  trx: Transaction<Database>,
  run: { readonly deliveryId: string; readonly run: number; readonly delayMs: number },
): Promise<void> {
  await enqueueInTransaction(trx, {
    jobName: 'webhook.deliver',
    jobId: deliveryJobId(run.deliveryId, run.run),
    payload: { deliveryId: run.deliveryId, run: run.run },
    delayMs: run.delayMs,
  });
}
