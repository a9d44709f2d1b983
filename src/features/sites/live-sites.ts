import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { CachedLiveSite, LiveSite, LiveSiteCache } from './live-site-cache.ts';
import { findLiveSiteByCustomDomain, findLiveSiteBySubdomain } from './live-sites.repository.ts';
import { type SiteAddress, type SiteHost, siteHostName } from './site-address.ts';

export interface LiveSiteResolverDeps {
  readonly db: Kysely<Database>;
  readonly cache: LiveSiteCache;
  readonly address: SiteAddress;
}

/** The live site served at a host, or undefined when the host serves nothing. */
export type ResolveLiveSite = (host: SiteHost) => Promise<LiveSite | undefined>;

/**
 * Host → live deployment for site serving (R-PLAT-3). The cache answers first, so once a host
 * is cached a request costs no database round trip; otherwise one query reads the mapping and
 * the answer, a miss included, is cached until it expires or the host is purged (whoever moves
 * a live pointer purges the portfolio's hosts). Lookups of the same host that overlap in this
 * process share one query, so a burst on a cold host does not become a burst of queries.
 */
export function createLiveSiteResolver(deps: LiveSiteResolverDeps): ResolveLiveSite {
  const { db, cache, address } = deps;
  const inFlight = new Map<string, Promise<CachedLiveSite>>();

  async function load(host: SiteHost, hostName: string): Promise<CachedLiveSite> {
    const site =
      host.kind === 'subdomain'
        ? await findLiveSiteBySubdomain(db, host.subdomain)
        : await findLiveSiteByCustomDomain(db, host.domain);
    const answer: CachedLiveSite = site ?? 'none';
    await cache.write(hostName, answer);
    return answer;
  }

  return async function resolveLiveSite(host) {
    const hostName = siteHostName(address, host);
    const cached = await cache.read(hostName);
    if (cached !== undefined) {
      return cached === 'none' ? undefined : cached;
    }
    let pending = inFlight.get(hostName);
    if (pending === undefined) {
      pending = load(host, hostName).finally(() => {
        inFlight.delete(hostName);
      });
      inFlight.set(hostName, pending);
    }
    const answer = await pending;
    return answer === 'none' ? undefined : answer;
  };
}
