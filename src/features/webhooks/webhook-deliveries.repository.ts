import { type Kysely, type Selectable, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { type NewestFirstKey, pageNewestFirst } from '../../db/query/newest-first.ts';
import type { PageQuery } from '../../db/query/paginate.ts';
import type {
  WebhookDeliveriesTable,
  WebhookDeliveryStatus,
} from '../../db/tables/webhooks-tables.ts';
import type { WebhookDeliverySummary } from './webhook.types.ts';

type Db = Kysely<Database>;
type DeliveryRow = Selectable<WebhookDeliveriesTable>;

const SUMMARY_COLUMNS = [
  'id',
  'event',
  'status',
  'attempt_count',
  'last_status_code',
  'last_error',
  'created_at',
  'completed_at',
  'next_attempt_at',
] as const;

function toSummary(
  row: Pick<DeliveryRow, (typeof SUMMARY_COLUMNS)[number]>,
): WebhookDeliverySummary {
  return {
    id: row.id,
    event: row.event,
    status: row.status,
    attemptCount: row.attempt_count,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    nextAttemptAt: row.next_attempt_at,
  };
}

export interface NewWebhookDelivery {
  readonly endpointId: string | null;
  readonly isGlobal: boolean;
  readonly targetUrl: string;
  readonly event: string;
  readonly payload: unknown;
}

/** Inserts pending deliveries whose first attempt is due `firstDelayMs` from now. */
export async function insertDeliveries(
  db: Db,
  deliveries: readonly NewWebhookDelivery[],
  firstDelayMs: number,
): Promise<{ readonly id: string; readonly run: number }[]> {
  if (deliveries.length === 0) {
    return [];
  }
  const rows = await db
    .insertInto('webhook_deliveries')
    .values(
      deliveries.map((delivery) => ({
        endpoint_id: delivery.endpointId,
        is_global: delivery.isGlobal,
        target_url: delivery.targetUrl,
        event: delivery.event,
        payload: JSON.stringify(delivery.payload),
        next_attempt_at: sql<Date>`now() + make_interval(secs => ${firstDelayMs / 1000})`,
      })),
    )
    .returning(['id', 'run'])
    .execute();
  return rows;
}

export interface DeliveryToSend {
  readonly id: string;
  readonly endpointId: string | null;
  readonly isGlobal: boolean;
  readonly targetUrl: string;
  readonly payload: unknown;
  readonly status: WebhookDeliveryStatus;
  /** The run whose job may act on the delivery now. */
  readonly run: number;
}

export async function findDeliveryToSend(db: Db, id: string): Promise<DeliveryToSend | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'endpoint_id', 'is_global', 'target_url', 'payload', 'status', 'run'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        id: row.id,
        endpointId: row.endpoint_id,
        isGlobal: row.is_global,
        targetUrl: row.target_url,
        payload: row.payload,
        status: row.status,
        run: row.run,
      };
}

export async function listEndpointDeliveries(
  db: Db,
  endpointId: string,
  query: PageQuery<NewestFirstKey>,
): Promise<WebhookDeliverySummary[]> {
  const rows = await pageNewestFirst(
    db
      .selectFrom('webhook_deliveries')
      .select(SUMMARY_COLUMNS)
      .where('endpoint_id', '=', endpointId),
    query,
  ).execute();
  return rows.map(toSummary);
}

/** One delivery of the endpoint, or undefined when the endpoint has no such delivery. */
export async function findEndpointDelivery(
  db: Db,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDeliverySummary | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select(SUMMARY_COLUMNS)
    .where('id', '=', deliveryId)
    .where('endpoint_id', '=', endpointId)
    .executeTakeFirst();
  return row === undefined ? undefined : toSummary(row);
}

export async function countEndpointDeliveries(db: Db, endpointId: string): Promise<number> {
  const { total } = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('endpoint_id', '=', endpointId)
    .executeTakeFirstOrThrow();
  return Number(total);
}
