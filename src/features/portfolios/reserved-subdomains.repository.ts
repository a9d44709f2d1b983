import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';

export interface PortfolioOnReservedSubdomain {
  readonly id: string;
  readonly subdomain: string;
  readonly isPublished: boolean;
}

/**
 * Portfolios (not deleted) that took a subdomain before the operator reserved it: they keep
 * serving, but their next deployment fails `deployment.subdomain_invalid`.
 */
export async function listPortfoliosOnReservedSubdomains(
  db: Kysely<Database>,
  reserved: ReadonlySet<string>,
): Promise<PortfolioOnReservedSubdomain[]> {
  if (reserved.size === 0) {
    return [];
  }
  const rows = await db
    .selectFrom('portfolios')
    .select(['id', 'subdomain', 'is_published'])
    .where('deleted_at', 'is', null)
    .where('subdomain', 'in', [...reserved])
    .orderBy('subdomain')
    .execute();
  return rows.flatMap((row) =>
    row.subdomain === null
      ? []
      : [{ id: row.id, subdomain: row.subdomain, isPublished: row.is_published }],
  );
}
