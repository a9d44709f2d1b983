import type { Kysely } from 'kysely';
import { z } from 'zod';

import type { Database } from '../../db/database-types.ts';
import type { SiteManifest } from '../../db/tables/deployments-tables.ts';
import type { LiveSite } from './live-site-cache.ts';

type Db = Kysely<Database>;

const manifestFileSchema = z.object({
  contentType: z.string().min(1),
  cacheControl: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  gzipSize: z.number().int().nonnegative(),
  brotliSize: z.number().int().nonnegative(),
});
const manifestSchema = z.object({ files: z.record(z.string(), manifestFileSchema) });

interface LiveSiteRow {
  readonly portfolio_id: string;
  readonly deployment_id: string;
  readonly site_manifest: SiteManifest | null;
}

/**
 * The manifest is read back from jsonb and then served from, and cached for, minutes: one that
 * does not have the expected shape serves nothing rather than failing every request after.
 */
function toLiveSite(row: LiveSiteRow | undefined): LiveSite | undefined {
  const manifest = manifestSchema.safeParse(row?.site_manifest);
  if (row === undefined || !manifest.success) {
    return undefined;
  }
  return {
    portfolioId: row.portfolio_id,
    deploymentId: row.deployment_id,
    manifest: manifest.data,
  };
}

/**
 * The live site of the portfolio owning `subdomain`: served while the portfolio is published,
 * not deleted, and has a live deployment. A successful deployment publishes the portfolio;
 * unpublishing takes the site down (and purges its hosts) without losing the deployment, so
 * publishing again brings the same site back.
 */
export async function findLiveSiteBySubdomain(
  db: Db,
  subdomain: string,
): Promise<LiveSite | undefined> {
  const row = await db
    .selectFrom('portfolios as p')
    .innerJoin('deployments as d', (join) =>
      join.onRef('d.id', '=', 'p.live_deployment_id').onRef('d.portfolio_id', '=', 'p.id'),
    )
    .select(['p.id as portfolio_id', 'd.id as deployment_id', 'd.site_manifest'])
    .where('p.subdomain', '=', subdomain)
    .where('p.deleted_at', 'is', null)
    .where('p.is_published', '=', true)
    .where('d.status', '=', 'DEPLOYED')
    .executeTakeFirst();
  return toLiveSite(row);
}

/**
 * The live site behind a verified custom domain, under the same rules as a subdomain. The
 * domain's owner must still own the portfolio, so a portfolio handed to someone else does
 * not keep answering at its previous owner's domain.
 */
export async function findLiveSiteByCustomDomain(
  db: Db,
  domain: string,
): Promise<LiveSite | undefined> {
  const row = await db
    .selectFrom('custom_domains as cd')
    .innerJoin('portfolios as p', (join) =>
      join.onRef('p.id', '=', 'cd.portfolio_id').onRef('p.owner_id', '=', 'cd.owner_id'),
    )
    .innerJoin('deployments as d', (join) =>
      join.onRef('d.id', '=', 'p.live_deployment_id').onRef('d.portfolio_id', '=', 'p.id'),
    )
    .select(['p.id as portfolio_id', 'd.id as deployment_id', 'd.site_manifest'])
    .where('cd.domain', '=', domain)
    .where('cd.verified_at', 'is not', null)
    .where('p.deleted_at', 'is', null)
    .where('p.is_published', '=', true)
    .where('d.status', '=', 'DEPLOYED')
    .executeTakeFirst();
  return toLiveSite(row);
}

/** The portfolio's verified custom domains, the first verified first. */
export async function listVerifiedDomains(db: Db, portfolioId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('custom_domains')
    .select('domain')
    .where('portfolio_id', '=', portfolioId)
    .where('verified_at', 'is not', null)
    .orderBy('verified_at')
    .orderBy('domain')
    .execute();
  return rows.map((row) => row.domain);
}

/** Subdomains and verified custom domains that serve a live site. */
export interface LiveSiteNames {
  readonly subdomains: readonly string[];
  readonly domains: readonly string[];
}

/**
 * Every name that serves a live site, under the rules of the two lookups above (the manifest
 * aside, which only the lookup reads); with `among`, only those of the given names. The names
 * only: what R-SEC-5's in-memory host set is built from.
 */
export async function listLiveSiteNames(db: Db, among?: LiveSiteNames): Promise<LiveSiteNames> {
  const subdomainQuery = db
    .selectFrom('portfolios as p')
    .innerJoin('deployments as d', (join) =>
      join.onRef('d.id', '=', 'p.live_deployment_id').onRef('d.portfolio_id', '=', 'p.id'),
    )
    .select('p.subdomain')
    .where('p.subdomain', 'is not', null)
    .where('p.deleted_at', 'is', null)
    .where('p.is_published', '=', true)
    .where('d.status', '=', 'DEPLOYED');
  const domainQuery = db
    .selectFrom('custom_domains as cd')
    .innerJoin('portfolios as p', (join) =>
      join.onRef('p.id', '=', 'cd.portfolio_id').onRef('p.owner_id', '=', 'cd.owner_id'),
    )
    .innerJoin('deployments as d', (join) =>
      join.onRef('d.id', '=', 'p.live_deployment_id').onRef('d.portfolio_id', '=', 'p.id'),
    )
    .select('cd.domain')
    .where('cd.verified_at', 'is not', null)
    .where('p.deleted_at', 'is', null)
    .where('p.is_published', '=', true)
    .where('d.status', '=', 'DEPLOYED');

  const subdomains =
    among === undefined
      ? await subdomainQuery.execute()
      : among.subdomains.length === 0
        ? []
        : await subdomainQuery.where('p.subdomain', 'in', [...among.subdomains]).execute();
  const domains =
    among === undefined
      ? await domainQuery.execute()
      : among.domains.length === 0
        ? []
        : await domainQuery.where('cd.domain', 'in', [...among.domains]).execute();
  return {
    subdomains: subdomains.flatMap((row) => (row.subdomain === null ? [] : [row.subdomain])),
    domains: domains.map((row) => row.domain),
  };
}
