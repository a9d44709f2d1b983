import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { DeploymentStatus } from '../../db/tables/deployments-tables.ts';
import { publicFailureOf } from './deployments.errors.ts';

/** What the read-only status page of a deployment shows: no ids of other rows, no internals. */
export interface DeploymentStatusView {
  readonly portfolioTitle: string;
  readonly status: DeploymentStatus;
  readonly progress: number;
  readonly siteUrl: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly queuedAt: Date;
  readonly finishedAt: Date | null;
}

export async function findDeploymentStatusView(
  db: Kysely<Database>,
  deploymentId: string,
): Promise<DeploymentStatusView | undefined> {
  const row = await db
    .selectFrom('deployments as d')
    .innerJoin('portfolios as p', 'p.id', 'd.portfolio_id')
    .select([
      'p.title',
      'd.status',
      'd.progress',
      'd.site_url',
      'd.error_code',
      'd.error_message',
      'd.queued_at',
      'd.finished_at',
    ])
    .where('d.id', '=', deploymentId)
    .where('p.deleted_at', 'is', null)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        portfolioTitle: row.title,
        status: row.status,
        progress: row.progress,
        siteUrl: row.site_url,
        error: publicFailureOf(row.error_code, row.error_message),
        queuedAt: row.queued_at,
        finishedAt: row.finished_at,
      };
}
