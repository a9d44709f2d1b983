import { type Kysely, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { IN_FLIGHT_EXPORT_STATUSES } from './export.types.ts';

/**
 * Unfinished exports whose row has not changed for `idleMs`, oldest first: the ones whose job
 * may have been lost (R-SEC-3). At most `limit`.
 */
export async function listStalledExports(
  db: Kysely<Database>,
  idleMs: number,
  limit: number,
): Promise<{ readonly exportId: string }[]> {
  const rows = await db
    .selectFrom('exports')
    .select('id')
    .where('status', 'in', IN_FLIGHT_EXPORT_STATUSES)
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${idleMs / 1000})`)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ exportId: row.id }));
}
