import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { UnavailableError } from '../../errors/app-error.ts';
import type { LiveHostSet } from './live-host-set.ts';
import type { CachedLiveSite, LiveSite, LiveSiteCache } from './live-site-cache.ts';
import { findLiveSiteByCustomDomain, findLiveSiteBySubdomain } from './live-sites.repository.ts';
import { type SiteAddress, type SiteHost, siteHostName } from './site-address.ts';

export interface LiveSiteResolverDeps {
  readonly db: Kysely<Database>;
  readonly cache: LiveSiteCache;
  readonly address: SiteAddress;
  /** Which hosts are live at all, from memory: the only thing other hosts cost (R-SEC-5). */
  readonly liveHosts: Pick<LiveHostSet, 'check'>;
}

/** The live site served at a host, or undefined when the host serves nothing. */
export type ResolveLiveSite = (host: SiteHost) => Promise<LiveSite | undefined>;

/**
 * Host → live deployment for site serving (R-PLAT-3). A host the in-memory live host set does
 * not hold is answered at once, touching neither Redis nor PostgreSQL, so made-up hosts cost
 * nothing (R-SEC-5). For a live host the cache answers first, so once it is cached a request
 * costs no database round trip; otherwise one query reads the mapping and
 * the answer, a miss included, is cached until it expires or the host is purged (whoever moves
 * a live pointer purges the portfolio's hosts). Lookups of the same host that overlap in this
 * process share one query, so a burst on a cold host does not become a burst of queries.
 */
export function createLiveSiteResolver(deps: LiveSiteResolverDeps): ResolveLiveSite {
  const { db, cache, address, liveHosts } = deps;
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
    const presence = await liveHosts.check(hostName);
    if (presence === 'absent') {
      return undefined;
    }
    if (presence === 'unknown') {
      throw new UnavailableError(
        'dependency.unavailable',
        'Sites cannot be looked up right now; try again shortly.',
      );
    }
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
