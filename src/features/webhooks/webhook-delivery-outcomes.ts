import type { Kysely, Transaction } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import type { AttemptOutcome } from './webhook-attempt.ts';
import {
  finishRun,
  insertAttempt,
  lockDelivery,
  type RunTransition,
} from './webhook-delivery-runs.repository.ts';
import {
  delayBeforeAttempt,
  type DeliverySchedule,
  enqueueDeliveryRun,
} from './webhook-delivery-schedule.ts';
import { disabledMailJobId, operatorAlertJobId } from './webhook-notifications.ts';
import {
  disableEndpoint,
  markOperatorAlerted,
  recordEndpointFailure,
  recordEndpointSuccess,
  recordOperatorTargetFailure,
  recordOperatorTargetSuccess,
} from './webhook-target-health.repository.ts';

/** What one run of `webhook.deliver` did; expected outcomes are returned, not thrown. */
export type DeliveryResult =
  | { readonly status: 'succeeded'; readonly attempt: number }
  /** The attempt failed; the next one is queued for later. */
  | { readonly status: 'retrying'; readonly attempt: number; readonly nextAttemptInMs: number }
  | { readonly status: 'failed'; readonly reason: string }
  /** Nothing was sent because the target's breaker is open; the attempt is not used up. */
  | { readonly status: 'deferred'; readonly reason: string }
  /** Unknown or settled delivery, or a stale run (jobs may run twice). */
  | { readonly status: 'skipped'; readonly reason: string };

/** Why the service turned an endpoint off: the receiver said 410 Gone, or days of failures. */
export type DisableReason = 'gone' | 'failing';

/** Where an attempt went, for the target's health. */
export type TargetRef =
  | { readonly kind: 'endpoint'; readonly endpointId: string }
  | { readonly kind: 'operator'; readonly url: string };

export interface OutcomeDeps {
  readonly db: Kysely<Database>;
  readonly enqueueInTransaction: EnqueueInTransaction;
  readonly schedule: DeliverySchedule;
  /** No 2xx for this long disables a customer endpoint (or alerts the operator). */
  readonly disableAfterMs: number;
  /** Whether an operator address is configured to mail about the global endpoint. */
  readonly alertOperator: boolean;
}

export interface RecordedOutcome {
  readonly result: DeliveryResult;
  readonly disabled?: DisableReason;
  /** The global endpoint has failed too long and nobody could be mailed. */
  readonly operatorUnalerted?: boolean;
}

type Trx = Transaction<Database>;

function formatSpan(ms: number): string {
  const units: readonly [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  const [size, name] = units.find(([unit]) => ms % unit === 0 && ms >= unit) ?? [1, 'millisecond'];
  const count = ms / size;
  return `${String(count)} ${name}${count === 1 ? '' : 's'}`;
}

/** Keeps the target's failure streak; disables a customer endpoint that has failed too long. */
async function recordHealth(
  trx: Trx,
  deps: OutcomeDeps,
  target: TargetRef,
  outcome: Exclude<AttemptOutcome, { kind: 'deferred' }>,
): Promise<Pick<RecordedOutcome, 'disabled' | 'operatorUnalerted'>> {
  const succeeded = outcome.kind === 'answered';
  if (target.kind === 'operator') {
    if (succeeded) {
      await recordOperatorTargetSuccess(trx, target.url);
      return {};
    }
    const streak = await recordOperatorTargetFailure(trx, target.url, deps.disableAfterMs);
    if (!streak.overdue || streak.alerted) {
      return {};
    }
    const alertedAt = await markOperatorAlerted(trx, target.url);
    if (alertedAt !== undefined && deps.alertOperator) {
      await deps.enqueueInTransaction(trx, {
        jobName: 'webhook.notify_operator',
        jobId: operatorAlertJobId(alertedAt),
        payload: { alertedAt: alertedAt.toISOString() },
      });
      return {};
    }
    return { operatorUnalerted: alertedAt !== undefined };
  }
  const { endpointId } = target;
  if (succeeded) {
    await recordEndpointSuccess(trx, endpointId);
    return {};
  }
  // Standard Webhooks: 410 Gone means the receiver wants no more deliveries.
  if (outcome.statusCode === 410) {
    const at = await disableEndpoint(
      trx,
      endpointId,
      `the receiver answered 410 Gone on ${new Date().toISOString()}`,
    );
    return at === undefined ? {} : { disabled: 'gone' };
  }
  const streak = await recordEndpointFailure(trx, endpointId, deps.disableAfterMs);
  if (!streak?.overdue) {
    return {};
  }
  const disabledAt = await disableEndpoint(
    trx,
    endpointId,
    `no delivery succeeded for ${formatSpan(deps.disableAfterMs)} (failing since ` +
      `${streak.failingSince.toISOString()}); turn it on again with PATCH {"enabled": true}`,
  );
  if (disabledAt === undefined) {
    return {};
  }
  await deps.enqueueInTransaction(trx, {
    jobName: 'webhook.notify_disabled',
    jobId: disabledMailJobId(endpointId, disabledAt),
    payload: { endpointId, disabledAt: disabledAt.toISOString() },
  });
  return { disabled: 'failing' };
}

/**
 * Records one attempt in one transaction (R-SEC-3): the attempt row, the target's health and,
 * when the run is still current, the delivery's next step. A failure with attempts left in
 * the schedule queues the next run with its delay; the last one, a 410 Gone or an endpoint
 * just disabled ends the delivery.
 */
export async function recordAttemptOutcome(
  deps: OutcomeDeps,
  input: {
    readonly deliveryId: string;
    readonly run: number;
    readonly target: TargetRef;
    readonly outcome: Exclude<AttemptOutcome, { kind: 'deferred' }>;
  },
): Promise<RecordedOutcome> {
  const { deliveryId, run, outcome } = input;
  return withTransaction(deps.db, async (trx) => {
    const locked = await lockDelivery(trx, deliveryId);
    if (locked === undefined) {
      return { result: { status: 'skipped', reason: 'the delivery was removed meanwhile' } };
    }
    const attempt = locked.attemptCount + 1;
    await insertAttempt(trx, {
      deliveryId,
      attemptNumber: attempt,
      statusCode: outcome.statusCode,
      error: outcome.kind === 'failed' ? outcome.error : null,
      durationMs: outcome.durationMs,
    });
    const health = await recordHealth(trx, deps, input.target, outcome);
    if (locked.status !== 'pending' || locked.run !== run) {
      return { ...health, result: { status: 'skipped', reason: 'a newer run owns the delivery' } };
    }

    let transition: RunTransition;
    let result: DeliveryResult;
    const nextDelayMs = delayBeforeAttempt(deps.schedule, locked.scheduleAttempts + 1);
    if (outcome.kind === 'answered') {
      transition = { status: 'succeeded' };
      result = { status: 'succeeded', attempt };
    } else if (health.disabled !== undefined || nextDelayMs === undefined) {
      const reason =
        health.disabled === undefined
          ? `attempt ${String(attempt)} was the last of the schedule: ${outcome.error}`
          : `the endpoint was disabled: ${outcome.error}`;
      transition = { status: 'failed' };
      result = { status: 'failed', reason };
    } else {
      const nextRun = locked.run + 1;
      transition = { status: 'pending', nextRun, delayMs: nextDelayMs };
      await enqueueDeliveryRun(deps.enqueueInTransaction, trx, {
        deliveryId,
        run: nextRun,
        delayMs: nextDelayMs,
      });
      result = { status: 'retrying', attempt, nextAttemptInMs: nextDelayMs };
    }
    await finishRun(trx, deliveryId, transition);
    return { ...health, result };
  });
}
