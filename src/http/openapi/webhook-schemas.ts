import { z } from '@hono/zod-openapi';

import {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDeliverySummary,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  type WebhookPingResult,
} from '../../features/webhooks/webhook.types.ts';

const timestamp = z.iso.datetime();

export const webhookEndpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string().openapi({ example: 'https://hooks.example.com/rolerabbit' }),
    events: z.array(z.string()).openapi({ example: ['deployment.succeeded', 'export.ready'] }),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('WebhookEndpoint');

export const webhookEndpointWithSecretSchema = webhookEndpointSchema
  .extend({
    secret: z.string().openapi({
      description:
        'Standard Webhooks signing secret (whsec_…). Shown only now; store it to verify deliveries.',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    }),
  })
  .openapi('WebhookEndpointWithSecret');

export const webhookDeliverySchema = z
  .object({
    id: z.uuid().openapi({ description: 'Also the webhook-id header of every attempt' }),
    event: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attemptCount: z.int(),
    lastStatusCode: z.int().nullable(),
    lastError: z.string().nullable(),
    createdAt: timestamp,
    completedAt: timestamp.nullable(),
    nextAttemptAt: timestamp.nullable().openapi({
      description: 'When the next attempt is due (R-SEC-3); null once succeeded or failed',
    }),
  })
  .openapi('WebhookDelivery');

export const webhookPingResultSchema = z
  .object({
    status: z
      .int()
      .nullable()
      .openapi({ description: "The receiver's HTTP status; null without one" }),
    durationMs: z.int(),
    error: z
      .string()
      .nullable()
      .openapi({ description: 'Null on a 2xx; otherwise what went wrong', example: null }),
  })
  .openapi('WebhookPingResult');

export function presentWebhookEndpoint(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: [...endpoint.events],
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

export function presentWebhookEndpointWithSecret(endpoint: WebhookEndpointWithSecret) {
  return { ...presentWebhookEndpoint(endpoint), secret: endpoint.secret };
}

export function presentWebhookDelivery(delivery: WebhookDeliverySummary) {
  return {
    id: delivery.id,
    event: delivery.event,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    completedAt: delivery.completedAt?.toISOString() ?? null,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
  };
}

export function presentWebhookPingResult(result: WebhookPingResult) {
  return { status: result.status, durationMs: result.durationMs, error: result.error };
}
