import { type Kysely, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';

// How healthy each delivery target is: customer endpoints keep their failure streak on their
// row and are disabled after days without a 2xx; the operator's global endpoint is never
// disabled, so its streak is kept by URL and the operator is alerted once per streak.

type Db = Kysely<Database>;

/**
 * Turns an enabled endpoint off on the service's own decision (410 Gone, days of failures).
 * Returns when, or undefined when it was off already.
 */
export async function disableEndpoint(
  db: Db,
  id: string,
  reason: string,
): Promise<Date | undefined> {
  const row = await db
    .updateTable('webhook_endpoints')
    .set({
      enabled: false,
      disabled_reason: reason,
      disabled_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('enabled', '=', true)
    .returning('disabled_at')
    .executeTakeFirst();
  return row?.disabled_at ?? undefined;
}

/** A 2xx ends the endpoint's failure streak. */
export async function recordEndpointSuccess(db: Db, id: string): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: null })
    .where('id', '=', id)
    .where('failing_since', 'is not', null)
    .execute();
}

/**
 * A failed attempt starts the endpoint's failure streak, or continues it. Returns when the
 * streak started and whether it is older than `limitMs` (by PostgreSQL's clock).
 */
export async function recordEndpointFailure(
  db: Db,
  id: string,
  limitMs: number,
): Promise<{ readonly failingSince: Date; readonly overdue: boolean } | undefined> {
  const row = await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: sql<Date>`coalesce(failing_since, now())` })
    .where('id', '=', id)
    .returning([
      'failing_since',
      sql<boolean>`failing_since <= now() - make_interval(secs => ${limitMs / 1000})`.as('overdue'),
    ])
    .executeTakeFirst();
  const failingSince = row?.failing_since ?? null;
  return row === undefined || failingSince === null
    ? undefined
    : { failingSince, overdue: row.overdue };
}

/** Who hears that an endpoint was disabled, and whether it still is (for that one time). */
export interface DisabledEndpointNotice {
  readonly url: string;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly disabledAt: Date | null;
  readonly ownerEmail: string | null;
  readonly ownerName: string | null;
}

export async function findDisabledEndpointNotice(
  db: Db,
  id: string,
): Promise<DisabledEndpointNotice | undefined> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .innerJoin('users', 'users.id', 'webhook_endpoints.owner_id')
    .select([
      'webhook_endpoints.url',
      'webhook_endpoints.enabled',
      'webhook_endpoints.disabled_reason',
      'webhook_endpoints.disabled_at',
      'users.email',
      'users.name',
    ])
    .where('webhook_endpoints.id', '=', id)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        url: row.url,
        enabled: row.enabled,
        disabledReason: row.disabled_reason,
        disabledAt: row.disabled_at,
        ownerEmail: row.email,
        ownerName: row.name,
      };
}

/** The global endpoint failed: starts or continues its streak (see recordEndpointFailure). */
export async function recordOperatorTargetFailure(
  db: Db,
  url: string,
  limitMs: number,
): Promise<{ readonly overdue: boolean; readonly alerted: boolean }> {
  const row = await db
    .insertInto('webhook_operator_targets')
    .values({ url, failing_since: sql<Date>`now()` })
    .onConflict((conflict) =>
      conflict.column('url').doUpdateSet({
        failing_since: sql<Date>`coalesce(webhook_operator_targets.failing_since, now())`,
      }),
    )
    .returning([
      sql<boolean>`failing_since <= now() - make_interval(secs => ${limitMs / 1000})`.as('overdue'),
      sql<boolean>`alerted_at IS NOT NULL`.as('alerted'),
    ])
    .executeTakeFirstOrThrow();
  return { overdue: row.overdue, alerted: row.alerted };
}

/** Marks the current streak as reported; returns when, or undefined if it already was. */
export async function markOperatorAlerted(db: Db, url: string): Promise<Date | undefined> {
  const row = await db
    .updateTable('webhook_operator_targets')
    .set({ alerted_at: sql<Date>`now()` })
    .where('url', '=', url)
    .where('alerted_at', 'is', null)
    .returning('alerted_at')
    .executeTakeFirst();
  return row?.alerted_at ?? undefined;
}

/** A 2xx from the global endpoint ends its streak (a later one is alerted again). */
export async function recordOperatorTargetSuccess(db: Db, url: string): Promise<void> {
  await db
    .updateTable('webhook_operator_targets')
    .set({ failing_since: null, alerted_at: null })
    .where('url', '=', url)
    .where('failing_since', 'is not', null)
    .execute();
}

export async function findOperatorTarget(
  db: Db,
  url: string,
): Promise<{ readonly failingSince: Date | null; readonly alertedAt: Date | null } | undefined> {
  const row = await db
    .selectFrom('webhook_operator_targets')
    .select(['failing_since', 'alerted_at'])
    .where('url', '=', url)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { failingSince: row.failing_since, alertedAt: row.alerted_at };
}
