import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../../db/database-types.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import type { WebhookEventInput } from './webhook.types.ts';
import {
  type AttemptSender,
  type AttemptTarget,
  endpointBreakerKey,
  operatorBreakerKey,
} from './webhook-attempt.ts';
import {
  type DeliveryToSend,
  findDeliveryToSend,
  insertDeliveries,
  type NewWebhookDelivery,
} from './webhook-deliveries.repository.ts';
import {
  type DeliveryResult,
  type DisableReason,
  recordAttemptOutcome,
  type TargetRef,
} from './webhook-delivery-outcomes.ts';
import { advanceRun, failRun, listOverdueDeliveries } from './webhook-delivery-runs.repository.ts';
import {
  delayBeforeAttempt,
  deliveryJobId,
  type DeliverySchedule,
  enqueueDeliveryRun,
} from './webhook-delivery-schedule.ts';
import {
  findEndpointForDelivery,
  listSubscribedEndpoints,
} from './webhook-endpoints.repository.ts';

export type { DeliveryResult, DisableReason };

type Db = Kysely<Database>;

/** One run of a delivery, as its `webhook.deliver` job names it. */
export interface DeliveryRun {
  readonly deliveryId: string;
  readonly run: number;
}

/** Counts for `/metrics`; called by the process that delivers. */
export interface WebhookDeliveryObserver {
  /** An open breaker put a delivery off. */
  onDeferred(): void;
  onEndpointDisabled(reason: DisableReason): void;
}

export interface WebhookDeliveryService {
  /**
   * Records one pending delivery per enabled endpoint of the owner subscribed to the event,
   * plus one for the global endpoint when configured, with the job of each first attempt.
   * Sends nothing; returns the delivery ids.
   */
  dispatchEvent(input: WebhookEventInput): Promise<readonly string[]>;
  /**
   * The same inside the caller's transaction: the deliveries and their jobs exist only if it
   * commits (outbox).
   */
  dispatchEventInTransaction(
    trx: Transaction<Database>,
    input: WebhookEventInput,
  ): Promise<readonly string[]>;
  /**
   * One run: one signed attempt (no retry inside it), recorded; a failure queues the next
   * attempt of the schedule (R-SEC-3), an open breaker puts the run off without using one.
   * A run that is not the delivery's current one does nothing.
   */
  deliver(run: DeliveryRun): Promise<DeliveryResult>;
  /**
   * Queues again the due deliveries whose job is gone (Redis lost it, or it failed for good):
   * those overdue by `overdueMs` whose current job `isQueued` denies. Returns how many.
   */
  recoverLostDeliveries(options: {
    readonly overdueMs: number;
    readonly isQueued: (jobId: string) => Promise<boolean>;
  }): Promise<number>;
}

export interface WebhookDeliveryDeps {
  readonly db: Db;
  readonly attempts: AttemptSender;
  /** The operator's endpoint (DEPLOYMENT_WEBHOOK_URL), sent every event. */
  readonly deploymentEndpoint: { readonly url: string; readonly secret: string } | undefined;
  readonly enqueueInTransaction: EnqueueInTransaction;
  readonly schedule: DeliverySchedule;
  /** No 2xx for this long disables a customer endpoint, or alerts the operator. */
  readonly disableAfterMs: number;
  /** Whether OPERATOR_EMAIL is set (otherwise a failing global endpoint is only logged). */
  readonly alertOperator: boolean;
  readonly observer?: WebhookDeliveryObserver;
  readonly logger: Logger;
  /** @defaultValue () => new Date() */
  readonly now?: () => Date;
}

/** Deliveries looked at per sweep; the next sweep takes the rest. */
const RECOVERY_BATCH = 100;

type Target =
  { readonly attempt: AttemptTarget; readonly ref: TargetRef } | { readonly refusal: string };

export function createWebhookDeliveryService(deps: WebhookDeliveryDeps): WebhookDeliveryService {
  const { db, attempts, deploymentEndpoint, enqueueInTransaction, schedule, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const firstDelayMs = delayBeforeAttempt(schedule, 0) ?? 0;

  async function resolveTarget(delivery: DeliveryToSend): Promise<Target> {
    if (delivery.isGlobal) {
      return deploymentEndpoint === undefined
        ? { refusal: 'the global webhook endpoint is no longer configured' }
        : {
            attempt: {
              url: deploymentEndpoint.url,
              secret: deploymentEndpoint.secret,
              trust: 'operator',
              breakerKey: operatorBreakerKey(deploymentEndpoint.url),
            },
            ref: { kind: 'operator', url: deploymentEndpoint.url },
          };
    }
    const endpointId = delivery.endpointId;
    const endpoint =
      endpointId === null ? undefined : await findEndpointForDelivery(db, endpointId);
    if (endpoint === undefined || endpointId === null) {
      return { refusal: 'the endpoint was deleted' };
    }
    if (!endpoint.enabled) {
      return { refusal: `the endpoint is disabled (${endpoint.disabledReason ?? 'no reason'})` };
    }
    return {
      attempt: {
        url: endpoint.url,
        secret: endpoint.secret,
        trust: 'customer',
        breakerKey: endpointBreakerKey(endpointId, endpoint.url),
      },
      ref: { kind: 'endpoint', endpointId },
    };
  }

  async function recordEvent(trx: Transaction<Database>, input: WebhookEventInput) {
    const { ownerId, event, data } = input;
    const endpoints = await listSubscribedEndpoints(trx, ownerId, event);
    const payload = { type: event, timestamp: now().toISOString(), data };
    const deliveries: NewWebhookDelivery[] = endpoints.map((endpoint) => ({
      endpointId: endpoint.id,
      isGlobal: false,
      targetUrl: endpoint.url,
      event,
      payload,
    }));
    if (deploymentEndpoint !== undefined) {
      deliveries.push({
        endpointId: null,
        isGlobal: true,
        targetUrl: deploymentEndpoint.url,
        event,
        payload,
      });
    }
    const created = await insertDeliveries(trx, deliveries, firstDelayMs);
    for (const delivery of created) {
      await enqueueDeliveryRun(enqueueInTransaction, trx, {
        deliveryId: delivery.id,
        run: delivery.run,
        delayMs: firstDelayMs,
      });
    }
    return created.map((delivery) => delivery.id);
  }

  /** An open breaker: the run moves to the next one after the breaker's reset. */
  async function defer(run: DeliveryRun, reason: string): Promise<DeliveryResult> {
    const moved = await withTransaction(db, async (trx) => {
      const next = await advanceRun(trx, run.deliveryId, run.run, schedule.deferMs);
      if (next !== undefined) {
        await enqueueDeliveryRun(enqueueInTransaction, trx, {
          deliveryId: run.deliveryId,
          run: next,
          delayMs: schedule.deferMs,
        });
      }
      return next !== undefined;
    });
    if (!moved) {
      return { status: 'skipped', reason: 'a newer run owns the delivery' };
    }
    deps.observer?.onDeferred();
    return { status: 'deferred', reason };
  }

  return {
    dispatchEvent: (input) => withTransaction(db, (trx) => recordEvent(trx, input)),
    dispatchEventInTransaction: recordEvent,

    async deliver(run) {
      const delivery = await findDeliveryToSend(db, run.deliveryId);
      if (delivery === undefined) {
        return { status: 'skipped', reason: 'no such delivery' };
      }
      if (delivery.status !== 'pending') {
        return { status: 'skipped', reason: `the delivery ${delivery.status} already` };
      }
      if (delivery.run !== run.run) {
        return { status: 'skipped', reason: 'a newer run owns the delivery' };
      }
      const target = await resolveTarget(delivery);
      if ('refusal' in target) {
        return (await failRun(db, delivery.id, run.run, target.refusal))
          ? { status: 'failed', reason: target.refusal }
          : { status: 'skipped', reason: 'a newer run owns the delivery' };
      }

      const outcome = await attempts.send(target.attempt, {
        webhookId: delivery.id,
        body: JSON.stringify(delivery.payload),
      });
      if (outcome.kind === 'deferred') {
        return defer(run, outcome.reason);
      }
      const recorded = await recordAttemptOutcome(
        {
          db,
          enqueueInTransaction,
          schedule,
          disableAfterMs: deps.disableAfterMs,
          alertOperator: deps.alertOperator,
        },
        { deliveryId: delivery.id, run: run.run, target: target.ref, outcome },
      );
      if (recorded.disabled !== undefined) {
        deps.observer?.onEndpointDisabled(recorded.disabled);
        logger.warn(
          { endpointId: delivery.endpointId, reason: recorded.disabled },
          'webhook endpoint disabled',
        );
      }
      if (recorded.operatorUnalerted === true) {
        logger.error(
          { disableAfterMs: deps.disableAfterMs },
          'the global webhook endpoint keeps failing; set OPERATOR_EMAIL to be mailed about it',
        );
      }
      return recorded.result;
    },

    async recoverLostDeliveries({ overdueMs, isQueued }) {
      const overdue = await listOverdueDeliveries(db, overdueMs, RECOVERY_BATCH);
      let requeued = 0;
      for (const { id, run } of overdue) {
        if (await isQueued(deliveryJobId(id, run))) {
          continue;
        }
        const moved = await withTransaction(db, async (trx) => {
          const next = await advanceRun(trx, id, run, 0);
          if (next !== undefined) {
            await enqueueDeliveryRun(enqueueInTransaction, trx, {
              deliveryId: id,
              run: next,
              delayMs: 0,
            });
          }
          return next !== undefined;
        });
        if (moved) {
          requeued += 1;
          logger.warn({ deliveryId: id, run }, 'webhook delivery had no job; queued it again');
        }
      }
      return requeued;
    },
  };
}
