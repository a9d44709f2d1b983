import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../../db/database-types.ts';
import type { CursorCodec } from '../../db/query/cursor-codec.ts';
import {
  type NewestFirstKey,
  newestFirstKeyOf,
  newestFirstKeySchema,
} from '../../db/query/newest-first.ts';
import { type Page, type PageRequest, paginate } from '../../db/query/paginate.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import { generateWebhookSecret } from '../../integrations/webhooks/standard-webhook-signer.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import {
  ALL_WEBHOOK_EVENTS,
  type CreateWebhookEndpointInput,
  type UpdateWebhookEndpointInput,
  type WebhookDeliverySummary,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  type WebhookPingResult,
} from './webhook.types.ts';
import { type AttemptSender, endpointBreakerKey } from './webhook-attempt.ts';
import {
  countEndpointDeliveries,
  findEndpointDelivery,
  listEndpointDeliveries,
} from './webhook-deliveries.repository.ts';
import { restartDelivery } from './webhook-delivery-runs.repository.ts';
import {
  delayBeforeAttempt,
  type DeliverySchedule,
  enqueueDeliveryRun,
} from './webhook-delivery-schedule.ts';
import {
  countEndpoints,
  deleteEndpoint,
  findEndpoint,
  findEndpointWithSecret,
  insertEndpoint,
  listEndpoints,
  replaceEndpointSecret,
  updateEndpoint,
} from './webhook-endpoints.repository.ts';
import {
  webhookDeliveryNotFound,
  webhookDeliveryPending,
  webhookEndpointDisabled,
  webhookEndpointNotFound,
  webhookUrlRefused,
} from './webhooks.errors.ts';

type Db = Kysely<Database>;

/**
 * The SSRF policy as this feature uses it (the guard's `checkUrl`). `reason` is shown to the
 * user; `detail` (resolved addresses) is for the log only (R-SEC-7).
 */
export type CheckTargetUrl = (
  url: string,
) => Promise<
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly detail?: string | undefined }
>;

export interface WebhookEndpointService {
  /** The answer carries the secret: the only time besides rotation it is shown. */
  createEndpoint(
    ownerId: string,
    input: CreateWebhookEndpointInput,
  ): Promise<WebhookEndpointWithSecret>;
  listEndpoints(ownerId: string, page: PageRequest): Promise<Page<WebhookEndpoint>>;
  getEndpoint(ownerId: string, id: string): Promise<WebhookEndpoint>;
  updateEndpoint(
    ownerId: string,
    id: string,
    input: UpdateWebhookEndpointInput,
  ): Promise<WebhookEndpoint>;
  deleteEndpoint(ownerId: string, id: string): Promise<void>;
  /** Replaces the secret at once; the old one stops verifying with the next attempt. */
  rotateSecret(ownerId: string, id: string): Promise<WebhookEndpointWithSecret>;
  /** The endpoint's deliveries, newest first. */
  listDeliveries(
    ownerId: string,
    id: string,
    page: PageRequest,
  ): Promise<Page<WebhookDeliverySummary>>;
  /**
   * Sends a settled delivery again, same id and body, with its schedule from the start
   * (R-SEC-3). Refused while it is pending or while the endpoint is disabled.
   */
  redeliver(ownerId: string, id: string, deliveryId: string): Promise<WebhookDeliverySummary>;
  /** One signed `ping` attempt now, no retry, not recorded as a delivery. */
  sendTestPing(ownerId: string, id: string): Promise<WebhookPingResult>;
}

export interface WebhookEndpointServiceDeps {
  readonly db: Db;
  readonly cursorCodec: CursorCodec;
  readonly checkTargetUrl: CheckTargetUrl;
  readonly attempts: AttemptSender;
  readonly enqueueInTransaction: EnqueueInTransaction;
  readonly schedule: DeliverySchedule;
  readonly logger: Pick<Logger, 'info'>;
  /** @defaultValue () => new Date() */
  readonly now?: () => Date;
}

const OWNER_DISABLED = 'disabled by its owner';

/** One list per endpoint: duplicates dropped, and '*' already covers every other event. */
function normaliseEvents(events: readonly string[]): string[] {
  return events.includes(ALL_WEBHOOK_EVENTS) ? [ALL_WEBHOOK_EVENTS] : [...new Set(events)];
}

export function createWebhookEndpointService(
  deps: WebhookEndpointServiceDeps,
): WebhookEndpointService {
  const { db, cursorCodec, checkTargetUrl, attempts, schedule, logger } = deps;
  const now = deps.now ?? (() => new Date());

  async function assertReachableUrl(url: string): Promise<void> {
    const verdict = await checkTargetUrl(url);
    if (!verdict.ok) {
      if (verdict.detail !== undefined) {
        logger.info({ detail: verdict.detail }, 'webhook URL refused');
      }
      throw webhookUrlRefused(verdict.reason);
    }
  }

  async function requireEndpoint(ownerId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await findEndpoint(db, ownerId, id);
    if (endpoint === undefined) {
      throw webhookEndpointNotFound();
    }
    return endpoint;
  }

  return {
    async createEndpoint(ownerId, input) {
      await assertReachableUrl(input.url);
      const enabled = input.enabled ?? true;
      return insertEndpoint(db, {
        ownerId,
        url: input.url,
        secret: generateWebhookSecret(),
        events: normaliseEvents(input.events),
        enabled,
        disabledReason: enabled ? null : OWNER_DISABLED,
      });
    },

    listEndpoints(ownerId, page) {
      return paginate<WebhookEndpoint, NewestFirstKey>(page, cursorCodec, {
        keySchema: newestFirstKeySchema,
        keyOf: newestFirstKeyOf,
        fetch: (query) => listEndpoints(db, ownerId, query),
        count: () => countEndpoints(db, ownerId),
      });
    },

    getEndpoint: requireEndpoint,

    async updateEndpoint(ownerId, id, input) {
      // Ownership first, so another user's id answers 404 even with a refused URL.
      await requireEndpoint(ownerId, id);
      if (input.url !== undefined) {
        await assertReachableUrl(input.url);
      }
      const updated = await updateEndpoint(db, ownerId, id, {
        url: input.url,
        events: input.events === undefined ? undefined : normaliseEvents(input.events),
        enabled: input.enabled,
        ...(input.enabled === undefined
          ? {}
          : { disabledReason: input.enabled ? null : OWNER_DISABLED }),
      });
      if (updated === undefined) {
        throw webhookEndpointNotFound();
      }
      return updated;
    },

    async deleteEndpoint(ownerId, id) {
      if (!(await deleteEndpoint(db, ownerId, id))) {
        throw webhookEndpointNotFound();
      }
    },

    async rotateSecret(ownerId, id) {
      const rotated = await replaceEndpointSecret(db, ownerId, id, generateWebhookSecret());
      if (rotated === undefined) {
        throw webhookEndpointNotFound();
      }
      return rotated;
    },

    async listDeliveries(ownerId, id, page) {
      await requireEndpoint(ownerId, id);
      return paginate<WebhookDeliverySummary, NewestFirstKey>(page, cursorCodec, {
        keySchema: newestFirstKeySchema,
        keyOf: newestFirstKeyOf,
        fetch: (query) => listEndpointDeliveries(db, id, query),
        count: () => countEndpointDeliveries(db, id),
      });
    },

    async redeliver(ownerId, id, deliveryId) {
      const endpoint = await requireEndpoint(ownerId, id);
      const delivery = await findEndpointDelivery(db, id, deliveryId);
      if (delivery === undefined) {
        throw webhookDeliveryNotFound();
      }
      if (!endpoint.enabled) {
        throw webhookEndpointDisabled();
      }
      const firstDelayMs = delayBeforeAttempt(schedule, 0) ?? 0;
      const restarted = await withTransaction(db, async (trx) => {
        const run = await restartDelivery(trx, deliveryId, firstDelayMs);
        if (run !== undefined) {
          await enqueueDeliveryRun(deps.enqueueInTransaction, trx, {
            deliveryId,
            run,
            delayMs: firstDelayMs,
          });
        }
        return run !== undefined;
      });
      if (!restarted) {
        throw webhookDeliveryPending();
      }
      const after = await findEndpointDelivery(db, id, deliveryId);
      if (after === undefined) {
        throw webhookDeliveryNotFound();
      }
      return after;
    },

    async sendTestPing(ownerId, id) {
      const endpoint = await findEndpointWithSecret(db, ownerId, id);
      if (endpoint === undefined) {
        throw webhookEndpointNotFound();
      }
      const body = JSON.stringify({
        type: 'ping',
        timestamp: now().toISOString(),
        data: { endpointId: endpoint.id },
      });
      const outcome = await attempts.send(
        {
          url: endpoint.url,
          secret: endpoint.secret,
          trust: 'customer',
          breakerKey: endpointBreakerKey(endpoint.id, endpoint.url),
        },
        { webhookId: `ping-${randomUUID()}`, body },
      );
      switch (outcome.kind) {
        case 'answered':
          return { status: outcome.statusCode, durationMs: outcome.durationMs, error: null };
        case 'failed':
          return {
            status: outcome.statusCode,
            durationMs: outcome.durationMs,
            error: outcome.error,
          };
        case 'deferred':
          return {
            status: null,
            durationMs: 0,
            error: `${outcome.reason}; try again in ${String(Math.ceil(schedule.deferMs / 1000))} s`,
          };
      }
    },
  };
}
