import type { SiteManifest } from '../../db/tables/deployments-tables.ts';

/** What a site host serves: the live deployment's files, by the manifest built with it. */
export interface LiveSite {
  readonly portfolioId: string;
  readonly deploymentId: string;
  readonly manifest: SiteManifest;
}

/** A cached answer: the live site, or `none` when the host serves nothing (yet). */
export type CachedLiveSite = LiveSite | 'none';

/**
 * The cached mapping from a site host to its live deployment, so serving a file needs no
 * database round trip (R-PLAT-3). Whoever switches a portfolio's live deployment (a finished
 * deployment, a rollback, unpublishing, deleting) purges the portfolio's hosts so the next
 * request reads the new mapping.
 */
export interface LiveSiteCache {
  /** undefined when nothing is cached for `host` (or the cache is unreachable). */
  read(host: string): Promise<CachedLiveSite | undefined>;
  write(host: string, site: CachedLiveSite): Promise<void>;
  /** Forgets the cached mapping of each host (lower-case, no port); unknown hosts are fine. */
  purgeHosts(hosts: readonly string[]): Promise<void>;
}
