import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export interface WebhookEndpointsTable {
  id: Generated<string>;
  owner_id: string;
  url: string;
  /** `whsec_…`; returned by the API only when created or rotated. */
  secret: string;
  /** Subscribed event names; `['*']` means every event. Sent as a PostgreSQL text[]. */
  events: string[];
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  /** Also the `webhook-id` header, stable across attempts. */
  id: Generated<string>;
  /** Null for the global endpoint, and after the endpoint is deleted. */
  endpoint_id: string | null;
  /** Sent to the operator's DEPLOYMENT_WEBHOOK_URL rather than to a customer endpoint. */
  is_global: Generated<boolean>;
  target_url: string;
  event: string;
  /** The Standard Webhooks body `{ type, timestamp, data }`, written as a JSON string. */
  payload: ColumnType<unknown, string, string>;
  status: Generated<WebhookDeliveryStatus>;
  attempt_count: Generated<number>;
  last_status_code: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  completed_at: NullableTimestamp;
}

export interface WebhookAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempt_number: number;
  /** Null when no answer came (timeout, network error, refused target). */
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: CreatedAt;
}

/** Tables of the webhooks integration, merged into `Database` (created by migration 0003). */
export interface WebhooksTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
