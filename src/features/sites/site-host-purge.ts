import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { UnavailableError } from '../../errors/app-error.ts';
import type { LiveHostSet } from './live-host-set.ts';
import type { LiveSiteCache } from './live-site-cache.ts';
import { listVerifiedDomains } from './live-sites.repository.ts';
import { type SiteAddress, subdomainHost } from './site-address.ts';

/**
 * Forgets the cached host mappings of one portfolio (its subdomains and verified custom
 * domains) after a change to what those hosts serve has committed: a rollback, publishing or
 * unpublishing, a subdomain change, a delete, a deployment going live (R-PLAT-3, R-PERF-2).
 * Every process's live host set re-reads the hosts too (R-SEC-5), even when the cache could
 * not be cleared; only that failure is thrown.
 */
export type PurgePortfolioHosts = (
  portfolioId: string,
  subdomains: readonly (string | null)[],
) => Promise<void>;

export function createPortfolioHostPurge(deps: {
  readonly db: Kysely<Database>;
  readonly liveSites: Pick<LiveSiteCache, 'purgeHosts'>;
  readonly liveHosts: Pick<LiveHostSet, 'hostsChanged'>;
  readonly siteAddress: SiteAddress;
}): PurgePortfolioHosts {
  return async (portfolioId, subdomains) => {
    const domains = await listVerifiedDomains(deps.db, portfolioId);
    const hosts = new Set([
      ...subdomains.flatMap((sub) => (sub === null ? [] : [subdomainHost(deps.siteAddress, sub)])),
      ...domains,
    ]);
    try {
      await deps.liveSites.purgeHosts([...hosts]);
    } catch (err) {
      // The change is saved; only the cache is behind. Each caller's operation is idempotent,
      // so repeating the request clears it.
      throw new UnavailableError(
        'dependency.unavailable',
        'The change was saved, but the site cache could not be cleared; repeat the request ' +
          'to clear it.',
        { cause: err },
      );
    } finally {
      // Whether or not the cache was cleared, the hosts' liveness changed (this never throws).
      await deps.liveHosts.hostsChanged([...hosts]);
    }
  };
}
