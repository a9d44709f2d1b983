import { type Kysely, type Selectable, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { type NewestFirstKey, pageNewestFirst } from '../../db/query/newest-first.ts';
import type { PageQuery } from '../../db/query/paginate.ts';
import type {
  WebhookDeliveriesTable,
  WebhookDeliveryStatus,
} from '../../db/tables/webhooks-tables.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
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
  };
}

export interface NewWebhookDelivery {
  readonly endpointId: string | null;
  readonly isGlobal: boolean;
  readonly targetUrl: string;
  readonly event: string;
  readonly payload: unknown;
}

export async function insertDeliveries(
  db: Db,
  deliveries: readonly NewWebhookDelivery[],
): Promise<string[]> {
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
      })),
    )
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export interface DeliveryToSend {
  readonly id: string;
  readonly endpointId: string | null;
  readonly isGlobal: boolean;
  readonly targetUrl: string;
  readonly payload: unknown;
  readonly status: WebhookDeliveryStatus;
  readonly attemptCount: number;
}

export async function findDeliveryToSend(db: Db, id: string): Promise<DeliveryToSend | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'endpoint_id', 'is_global', 'target_url', 'payload', 'status', 'attempt_count'])
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
        attemptCount: row.attempt_count,
      };
}

export interface AttemptRecord {
  readonly deliveryId: string;
  readonly attemptNumber: number;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

/** Logs one attempt and counts it on the delivery, in one transaction. */
export async function recordAttempt(db: Db, attempt: AttemptRecord): Promise<void> {
  await withTransaction(db, async (trx) => {
    await trx
      .insertInto('webhook_attempts')
      .values({
        delivery_id: attempt.deliveryId,
        attempt_number: attempt.attemptNumber,
        status_code: attempt.statusCode,
        error: attempt.error,
        duration_ms: attempt.durationMs,
      })
      .execute();
    await trx
      .updateTable('webhook_deliveries')
      .set({
        attempt_count: sql<number>`attempt_count + 1`,
        last_status_code: attempt.statusCode,
        last_error: attempt.error,
      })
      .where('id', '=', attempt.deliveryId)
      .execute();
  });
}

export interface DeliveryOutcome {
  readonly status: WebhookDeliveryStatus;
  readonly lastStatusCode?: number | null | undefined;
  readonly lastError: string | null;
}

/** Settles the delivery (or, with status 'pending', only notes why it is waiting). */
export async function settleDelivery(db: Db, id: string, outcome: DeliveryOutcome): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: outcome.status,
      last_error: outcome.lastError,
      ...(outcome.lastStatusCode === undefined ? {} : { last_status_code: outcome.lastStatusCode }),
      completed_at: outcome.status === 'pending' ? null : sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
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

export async function countEndpointDeliveries(db: Db, endpointId: string): Promise<number> {
  const { total } = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('endpoint_id', '=', endpointId)
    .executeTakeFirstOrThrow();
  return Number(total);
}
