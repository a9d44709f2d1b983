import { type Kysely, type Selectable, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { type NewestFirstKey, pageNewestFirst } from '../../db/query/newest-first.ts';
import type { PageQuery } from '../../db/query/paginate.ts';
import type { WebhookEndpointsTable } from '../../db/tables/webhooks-tables.ts';
import type { WebhookEndpoint, WebhookEndpointWithSecret } from './webhook.types.ts';

type Db = Kysely<Database>;
type EndpointRow = Selectable<WebhookEndpointsTable>;

// The public field set never includes the secret (R-PERF-4); it is selected only where a
// caller needs it (creation, rotation, signing).
const PUBLIC_COLUMNS = [
  'id',
  'url',
  'events',
  'enabled',
  'disabled_reason',
  'created_at',
  'updated_at',
] as const;
const WITH_SECRET_COLUMNS = [...PUBLIC_COLUMNS, 'secret'] as const;

function toEndpoint(row: Pick<EndpointRow, (typeof PUBLIC_COLUMNS)[number]>): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toEndpointWithSecret(
  row: Pick<EndpointRow, (typeof WITH_SECRET_COLUMNS)[number]>,
): WebhookEndpointWithSecret {
  return { ...toEndpoint(row), secret: row.secret };
}

export interface NewWebhookEndpoint {
  readonly ownerId: string;
  readonly url: string;
  readonly secret: string;
  readonly events: readonly string[];
  readonly enabled: boolean;
  readonly disabledReason: string | null;
}

export async function insertEndpoint(
  db: Db,
  input: NewWebhookEndpoint,
): Promise<WebhookEndpointWithSecret> {
  const row = await db
    .insertInto('webhook_endpoints')
    .values({
      owner_id: input.ownerId,
      url: input.url,
      secret: input.secret,
      events: [...input.events],
      enabled: input.enabled,
      disabled_reason: input.disabledReason,
    })
    .returning(WITH_SECRET_COLUMNS)
    .executeTakeFirstOrThrow();
  return toEndpointWithSecret(row);
}

export async function findEndpoint(
  db: Db,
  ownerId: string,
  id: string,
): Promise<WebhookEndpoint | undefined> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .select(PUBLIC_COLUMNS)
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  return row === undefined ? undefined : toEndpoint(row);
}

export interface WebhookEndpointChanges {
  readonly url?: string | undefined;
  readonly events?: readonly string[] | undefined;
  /** Turning an endpoint on also starts its failure streak afresh. */
  readonly enabled?: boolean | undefined;
  readonly disabledReason?: string | null | undefined;
}

export async function updateEndpoint(
  db: Db,
  ownerId: string,
  id: string,
  changes: WebhookEndpointChanges,
): Promise<WebhookEndpoint | undefined> {
  const row = await db
    .updateTable('webhook_endpoints')
    .set({
      ...(changes.url === undefined ? {} : { url: changes.url }),
      ...(changes.events === undefined ? {} : { events: [...changes.events] }),
      ...(changes.enabled === undefined
        ? {}
        : changes.enabled
          ? { enabled: true, failing_since: null }
          : { enabled: false, disabled_at: sql<Date>`now()` }),
      ...(changes.disabledReason === undefined ? {} : { disabled_reason: changes.disabledReason }),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
  return row === undefined ? undefined : toEndpoint(row);
}

export async function replaceEndpointSecret(
  db: Db,
  ownerId: string,
  id: string,
  secret: string,
): Promise<WebhookEndpointWithSecret | undefined> {
  const row = await db
    .updateTable('webhook_endpoints')
    .set({ secret, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .returning(WITH_SECRET_COLUMNS)
    .executeTakeFirst();
  return row === undefined ? undefined : toEndpointWithSecret(row);
}

export async function deleteEndpoint(db: Db, ownerId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('webhook_endpoints')
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function listEndpoints(
  db: Db,
  ownerId: string,
  query: PageQuery<NewestFirstKey>,
): Promise<WebhookEndpoint[]> {
  const rows = await pageNewestFirst(
    db.selectFrom('webhook_endpoints').select(PUBLIC_COLUMNS).where('owner_id', '=', ownerId),
    query,
  ).execute();
  return rows.map(toEndpoint);
}

export async function countEndpoints(db: Db, ownerId: string): Promise<number> {
  const { total } = await db
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('owner_id', '=', ownerId)
    .executeTakeFirstOrThrow();
  return Number(total);
}

/** The owner's enabled endpoints that subscribe to `event` (by name or with '*'). */
export async function listSubscribedEndpoints(
  db: Db,
  ownerId: string,
  event: string,
): Promise<{ readonly id: string; readonly url: string }[]> {
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'url'])
    .where('owner_id', '=', ownerId)
    .where('enabled', '=', true)
    .where(sql<boolean>`events && ARRAY[${event}, '*']::text[]`)
    .orderBy('created_at')
    .execute();
}

/** The owner's endpoint with its secret, to sign a test ping. */
export async function findEndpointWithSecret(
  db: Db,
  ownerId: string,
  id: string,
): Promise<WebhookEndpointWithSecret | undefined> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .select(WITH_SECRET_COLUMNS)
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  return row === undefined ? undefined : toEndpointWithSecret(row);
}

/** What a delivery needs to sign and send; not owner-scoped (called by the delivery job). */
export async function findEndpointForDelivery(
  db: Db,
  id: string,
): Promise<
  Pick<WebhookEndpointWithSecret, 'url' | 'secret' | 'enabled' | 'disabledReason'> | undefined
> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .select(['url', 'secret', 'enabled', 'disabled_reason'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        url: row.url,
        secret: row.secret,
        enabled: row.enabled,
        disabledReason: row.disabled_reason,
      };
}
