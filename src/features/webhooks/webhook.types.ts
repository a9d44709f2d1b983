import { z } from 'zod';

import {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDeliveryStatus,
} from '../../db/tables/webhooks-tables.ts';

export { WEBHOOK_DELIVERY_STATUSES, type WebhookDeliveryStatus };

/**
 * Every event the service emits, by its Standard Webhooks `type`. The test ping (`ping`) is
 * sent only on request and cannot be subscribed to.
 */
export const WEBHOOK_EVENTS = [
  'deployment.succeeded',
  'deployment.failed',
  'export.ready',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Subscribes an endpoint to every event, including ones added later. */
export const ALL_WEBHOOK_EVENTS = '*';
export type WebhookSubscription = WebhookEvent | typeof ALL_WEBHOOK_EVENTS;

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly enabled: boolean;
  /**
   * Why the endpoint is off (410 Gone, days without a 2xx, or its owner turned it off); null
   * while enabled.
   */
  readonly disabledReason: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The endpoint with its signing secret: only ever returned on creation and rotation. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  readonly secret: string;
}

export interface WebhookDeliverySummary {
  readonly id: string;
  readonly event: string;
  readonly status: WebhookDeliveryStatus;
  readonly attemptCount: number;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
  /** When the next attempt is due; null once the delivery has succeeded or failed. */
  readonly nextAttemptAt: Date | null;
}

/** The answer of one test ping: the receiver's status, or why there was none. */
export interface WebhookPingResult {
  /** The HTTP status the receiver answered; null without an answer. */
  readonly status: number | null;
  readonly durationMs: number;
  /** Null on a 2xx; otherwise what went wrong, in words safe to show. */
  readonly error: string | null;
}

// Shape only; whether the host may be reached is the SSRF policy's call, in the service.
const urlSchema = z.url({ protocol: /^https?$/, error: 'an absolute http(s) URL' }).max(2048);

const eventsSchema = z
  .array(z.enum([...WEBHOOK_EVENTS, ALL_WEBHOOK_EVENTS]))
  .min(1)
  .max(20);

export const createWebhookEndpointInputSchema = z.strictObject({
  url: urlSchema,
  events: eventsSchema,
  enabled: z.boolean().optional(),
});
export type CreateWebhookEndpointInput = z.infer<typeof createWebhookEndpointInputSchema>;

export const updateWebhookEndpointInputSchema = z
  .strictObject({
    url: urlSchema.optional(),
    events: eventsSchema.optional(),
    /** Re-enabling clears the disabled reason. */
    enabled: z.boolean().optional(),
  })
  .refine((input) => Object.keys(input).length > 0, 'at least one field to change is required');
export type UpdateWebhookEndpointInput = z.infer<typeof updateWebhookEndpointInputSchema>;

/** What `dispatchEvent` is given by the feature that raises the event. */
export interface WebhookEventInput {
  readonly ownerId: string;
  readonly event: WebhookEvent;
  /** The event's `data`; must be JSON-serialisable. */
  readonly data: Readonly<Record<string, unknown>>;
}
