import { type Kysely, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { FINISHED_STATUSES } from './deployment-runs.repository.ts';

/**
 * Unfinished deployments whose row (the run's heartbeat) has not changed for `idleMs`, oldest
 * first: the ones whose job may have been lost (R-SEC-3). At most `limit`.
 */
export async function listStalledDeployments(
  db: Kysely<Database>,
  idleMs: number,
  limit: number,
): Promise<{ readonly deploymentId: string }[]> {
  const rows = await db
    .selectFrom('deployments')
    .select('id')
    .where('status', 'not in', FINISHED_STATUSES)
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${idleMs / 1000})`)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ deploymentId: row.id }));
}
