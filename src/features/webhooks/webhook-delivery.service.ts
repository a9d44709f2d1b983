import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../../db/database-types.ts';
import { toError } from '../../errors/app-error.ts';
import {
  IntegrationFailure,
  IntegrationUnavailableError,
} from '../../integrations/resilience/integration-errors.ts';
import type { ResilientCall } from '../../integrations/resilience/resilient-call.ts';
import type { OutgoingWebhook, WebhookSender } from '../../integrations/webhooks/webhook-sender.ts';
import type { WebhookEventInput } from './webhook.types.ts';
import {
  type AttemptRecord,
  type DeliveryToSend,
  findDeliveryToSend,
  insertDeliveries,
  type NewWebhookDelivery,
  recordAttempt,
  settleDelivery,
} from './webhook-deliveries.repository.ts';
import {
  disableEndpoint,
  findEndpointForDelivery,
  listSubscribedEndpoints,
} from './webhook-endpoints.repository.ts';

type Db = Kysely<Database>;

/** What one `deliver` run did; expected outcomes are returned, not thrown. */
export type DeliveryResult =
  | { readonly status: 'succeeded'; readonly attempts: number }
  | { readonly status: 'failed'; readonly reason: string }
  /** Nothing was sent because the target's breaker is open; deliver again later. */
  | { readonly status: 'deferred'; readonly reason: string }
  /** Unknown delivery, or already delivered (jobs may run twice). */
  | { readonly status: 'skipped'; readonly reason: string };

export interface WebhookDeliveryService {
  /**
   * Records one pending delivery per enabled endpoint of the owner subscribed to the event,
   * plus one for the global endpoint when configured. Sends nothing: returns the delivery
   * ids for `deliver` (a queued job, later).
   */
  dispatchEvent(input: WebhookEventInput): Promise<readonly string[]>;
  /**
   * The same inside the caller's transaction: the deliveries exist only if it commits, so
   * the caller can enqueue their `webhook.deliver` jobs in it too (outbox).
   */
  dispatchEventInTransaction(
    trx: Transaction<Database>,
    input: WebhookEventInput,
  ): Promise<readonly string[]>;
  /**
   * Sends one delivery with retries, logging every attempt. Idempotent once succeeded; a
   * failed delivery may be sent again (attempt numbers continue). Runs for one delivery must
   * not overlap: the queue's job id keeps them single.
   */
  deliver(deliveryId: string): Promise<DeliveryResult>;
}

export interface WebhookDeliveryDeps {
  readonly db: Db;
  readonly sender: WebhookSender;
  /** The resilient call (timeout, retries, breaker) for one target key (`WebhookCalls`). */
  readonly callFor: (targetKey: string) => ResilientCall;
  /** The operator's endpoint (DEPLOYMENT_WEBHOOK_URL), sent every event. */
  readonly deploymentEndpoint: { readonly url: string; readonly secret: string } | undefined;
  readonly logger: Logger;
  /** @defaultValue () => new Date() */
  readonly now?: () => Date;
}

const MAX_ERROR_LENGTH = 500;

type SendableTarget = Omit<OutgoingWebhook, 'webhookId' | 'body'> & {
  readonly breakerKey: string;
};
type Target = SendableTarget | { readonly refusal: string };

function describeFailure(err: unknown, signal: AbortSignal): string {
  // A timed-out attempt rejects with undici's abort error; the signal says why it was aborted.
  const cause: unknown = signal.aborted ? signal.reason : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  return message.slice(0, MAX_ERROR_LENGTH);
}

export function createWebhookDeliveryService(deps: WebhookDeliveryDeps): WebhookDeliveryService {
  const { db, sender, callFor, deploymentEndpoint, logger } = deps;
  const now = deps.now ?? (() => new Date());

  async function resolveTarget(delivery: DeliveryToSend): Promise<Target> {
    if (delivery.isGlobal) {
      return deploymentEndpoint === undefined
        ? { refusal: 'the global webhook endpoint is no longer configured' }
        : {
            url: deploymentEndpoint.url,
            secret: deploymentEndpoint.secret,
            trust: 'operator',
            breakerKey: `global ${deploymentEndpoint.url}`,
          };
    }
    const endpoint =
      delivery.endpointId === null
        ? undefined
        : await findEndpointForDelivery(db, delivery.endpointId);
    if (endpoint === undefined || delivery.endpointId === null) {
      return { refusal: 'the endpoint was deleted' };
    }
    if (!endpoint.enabled) {
      return { refusal: `the endpoint is disabled (${endpoint.disabledReason ?? 'no reason'})` };
    }
    // Keyed by endpoint and URL: a changed URL starts with a fresh breaker.
    return {
      url: endpoint.url,
      secret: endpoint.secret,
      trust: 'customer',
      breakerKey: `${delivery.endpointId} ${endpoint.url}`,
    };
  }

  async function send(delivery: DeliveryToSend, target: SendableTarget) {
    const body = JSON.stringify(delivery.payload);
    const writes: Promise<void>[] = [];
    let attemptNumber = delivery.attemptCount;
    let last: AttemptRecord | undefined;

    const attempt = async (signal: AbortSignal) => {
      attemptNumber += 1;
      const number = attemptNumber;
      const startedAt = performance.now();
      // A timed-out attempt finishes after the retry loop has moved on, so writes are
      // collected and awaited before the delivery is settled.
      const log = (statusCode: number | null, error: string | null) => {
        const record: AttemptRecord = {
          deliveryId: delivery.id,
          attemptNumber: number,
          statusCode,
          error,
          durationMs: Math.round(performance.now() - startedAt),
        };
        if (last === undefined || number >= last.attemptNumber) {
          last = record;
        }
        writes.push(
          recordAttempt(db, record).catch((err: unknown) => {
            logger.error({ err, deliveryId: delivery.id }, 'could not record a webhook attempt');
          }),
        );
      };
      try {
        const receipt = await sender.send(
          {
            url: target.url,
            secret: target.secret,
            trust: target.trust,
            webhookId: delivery.id,
            body,
          },
          signal,
        );
        log(receipt.status, null);
        return receipt;
      } catch (err) {
        log(
          err instanceof IntegrationFailure ? (err.status ?? null) : null,
          describeFailure(err, signal),
        );
        throw err;
      }
    };

    try {
      const receipt = await callFor(target.breakerKey)('deliver', attempt);
      await Promise.all(writes);
      return {
        ok: true as const,
        status: receipt.status,
        attempts: attemptNumber - delivery.attemptCount,
      };
    } catch (err) {
      await Promise.all(writes);
      return { ok: false as const, err, last, attempted: attemptNumber > delivery.attemptCount };
    }
  }

  async function recordEvent(executor: Db, { ownerId, event, data }: WebhookEventInput) {
    const endpoints = await listSubscribedEndpoints(executor, ownerId, event);
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
    return insertDeliveries(executor, deliveries);
  }

  return {
    dispatchEvent: (input) => recordEvent(db, input),
    dispatchEventInTransaction: (trx, input) => recordEvent(trx, input),

    async deliver(deliveryId) {
      const delivery = await findDeliveryToSend(db, deliveryId);
      if (delivery === undefined) {
        return { status: 'skipped', reason: 'no such delivery' };
      }
      if (delivery.status === 'succeeded') {
        return { status: 'skipped', reason: 'already delivered' };
      }
      const target = await resolveTarget(delivery);
      if ('refusal' in target) {
        await settleDelivery(db, delivery.id, { status: 'failed', lastError: target.refusal });
        return { status: 'failed', reason: target.refusal };
      }

      const result = await send(delivery, target);
      if (result.ok) {
        await settleDelivery(db, delivery.id, {
          status: 'succeeded',
          lastStatusCode: result.status,
          lastError: null,
        });
        return { status: 'succeeded', attempts: result.attempts };
      }

      const reason = toError(result.err).message.slice(0, MAX_ERROR_LENGTH);
      if (result.err instanceof IntegrationUnavailableError && !result.attempted) {
        await settleDelivery(db, delivery.id, { status: 'pending', lastError: reason });
        return { status: 'deferred', reason };
      }
      const lastStatus = result.last?.statusCode ?? null;
      // Standard Webhooks: 410 Gone means the receiver wants no more deliveries.
      if (lastStatus === 410 && delivery.endpointId !== null && !delivery.isGlobal) {
        await disableEndpoint(
          db,
          delivery.endpointId,
          `the receiver answered 410 Gone on ${now().toISOString()}`,
        );
      }
      await settleDelivery(db, delivery.id, {
        status: 'failed',
        lastStatusCode: lastStatus,
        lastError: result.last?.error ?? reason,
      });
      logger.warn({ deliveryId, reason }, 'webhook delivery failed');
      return { status: 'failed', reason };
    },
  };
}
