import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { CursorCodec } from '../../db/query/cursor-codec.ts';
import {
  type NewestFirstKey,
  newestFirstKeyOf,
  newestFirstKeySchema,
} from '../../db/query/newest-first.ts';
import { type Page, type PageRequest, paginate } from '../../db/query/paginate.ts';
import { generateWebhookSecret } from '../../integrations/webhooks/standard-webhook-signer.ts';
import {
  ALL_WEBHOOK_EVENTS,
  type CreateWebhookEndpointInput,
  type UpdateWebhookEndpointInput,
  type WebhookDeliverySummary,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from './webhook.types.ts';
import {
  countEndpointDeliveries,
  listEndpointDeliveries,
} from './webhook-deliveries.repository.ts';
import {
  countEndpoints,
  deleteEndpoint,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  replaceEndpointSecret,
  updateEndpoint,
} from './webhook-endpoints.repository.ts';
import { webhookEndpointNotFound, webhookUrlRefused } from './webhooks.errors.ts';

type Db = Kysely<Database>;

/** The SSRF policy as this feature uses it (the guard's `checkUrl`). */
export type CheckTargetUrl = (
  url: string,
) => Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }>;

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
}

const OWNER_DISABLED = 'disabled by its owner';

/** One list per endpoint: duplicates dropped, and '*' already covers every other event. */
function normaliseEvents(events: readonly string[]): string[] {
  return events.includes(ALL_WEBHOOK_EVENTS) ? [ALL_WEBHOOK_EVENTS] : [...new Set(events)];
}

export function createWebhookEndpointService(deps: {
  readonly db: Db;
  readonly cursorCodec: CursorCodec;
  readonly checkTargetUrl: CheckTargetUrl;
}): WebhookEndpointService {
  const { db, cursorCodec, checkTargetUrl } = deps;

  async function assertReachableUrl(url: string): Promise<void> {
    const verdict = await checkTargetUrl(url);
    if (!verdict.ok) {
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
  };
}
