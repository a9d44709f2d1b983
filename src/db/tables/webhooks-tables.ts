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
  /** The first failed attempt since the last 2xx; null while the endpoint is healthy. */
  failing_since: NullableTimestamp;
  /** When it was last turned off (by its owner, a 410 Gone or days of failures). */
  disabled_at: NullableTimestamp;
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
  /** When the next attempt is due; set exactly while the delivery is pending. */
  next_attempt_at: NullableTimestamp;
  /** Attempts made in the current schedule; a redelivery starts the schedule again at 0. */
  schedule_attempts: Generated<number>;
  /** Numbers the delivery's jobs: only the job of the current run may act on it. */
  run: Generated<number>;
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

/** The operator's global endpoint (DEPLOYMENT_WEBHOOK_URL) is never disabled: its streak. */
export interface WebhookOperatorTargetsTable {
  url: string;
  /** The first failed attempt since the last 2xx; null while it answers. */
  failing_since: NullableTimestamp;
  /** When the operator was mailed about the current streak. */
  alerted_at: NullableTimestamp;
}

/**
 * Tables of the webhooks integration, merged into `Database` (created by migration 0003,
 * retry schedule and endpoint health by 0010).
 */
export interface WebhooksTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_operator_targets: WebhookOperatorTargetsTable;
}
