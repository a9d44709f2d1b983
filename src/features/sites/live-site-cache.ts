/**
 * The cached mapping from a site host to its live deployment. Whoever switches a portfolio's
 * live deployment (a finished deployment, a rollback, unpublishing, deleting) purges the
 * portfolio's hosts so the next request reads the new mapping.
 */
export interface LiveSiteCache {
  /** Forgets the cached mapping of each host (lower-case, no port); unknown hosts are fine. */
  purgeHosts(hosts: readonly string[]): Promise<void>;
}
