import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';

type Db = Kysely<Database>;

/** Whether the portfolio exists, is not deleted, and has this subdomain now. */
export async function holdsSubdomain(
  db: Db,
  portfolioId: string,
  subdomain: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('portfolios')
    .select('id')
    .where('id', '=', portfolioId)
    .where('subdomain', '=', subdomain)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Whether the portfolio's record at `subdomain` should exist: the portfolio holds the
 * subdomain and either serves a live deployment there (published) or has a deployment for it
 * under way, whose CONFIGURING step writes the record before ACTIVATING publishes it.
 */
export async function isSubdomainRecordWanted(
  db: Db,
  portfolioId: string,
  subdomain: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('portfolios as p')
    .select('p.id')
    .where('p.id', '=', portfolioId)
    .where('p.subdomain', '=', subdomain)
    .where('p.deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('p.is_published', '=', true), eb('p.live_deployment_id', 'is not', null)]),
        eb.exists(
          eb
            .selectFrom('deployments as d')
            .select('d.id')
            .whereRef('d.portfolio_id', '=', 'p.id')
            .where('d.subdomain', '=', subdomain)
            .where('d.status', 'not in', ['DEPLOYED', 'FAILED']),
        ),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

/** Every portfolio (not deleted) with a subdomain: the hosts `dns adopt` may claim. */
export async function listPortfolioSubdomains(
  db: Db,
): Promise<{ readonly portfolioId: string; readonly subdomain: string }[]> {
  const rows = await db
    .selectFrom('portfolios')
    .select(['id', 'subdomain'])
    .where('deleted_at', 'is', null)
    .where('subdomain', 'is not', null)
    .execute();
  return rows.flatMap((row) =>
    row.subdomain === null ? [] : [{ portfolioId: row.id, subdomain: row.subdomain }],
  );
}
