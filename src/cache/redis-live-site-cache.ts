import type { Redis } from 'ioredis';

import type { CachedLiveSite, LiveSiteCache } from '../features/sites/live-site-cache.ts';

export interface RedisLiveSiteCacheOptions {
  readonly redis: Redis;
  /** The deployment-wide Redis key prefix (`REDIS_KEY_PREFIX`). */
  readonly keyPrefix: string;
  /** How long a live mapping is trusted without a purge. */
  readonly ttlSeconds: number;
  /** Shorter, so a host that starts serving is seen soon even if a purge was missed. */
  readonly missTtlSeconds: number;
  /**
   * How long a purge keeps the host uncacheable. A lookup that read the old row just before
   * the switch committed cannot write it back during this window, which is far longer than
   * one query. @defaultValue 5
   */
  readonly purgeHoldSeconds?: number;
}

/** Stored by a purge in place of a mapping: reads miss, and writes (NX) are refused. */
const PURGED = 'purged';

/**
 * Site host → live deployment in Redis. A read that fails (Redis down) is a miss, so sites
 * keep being served from PostgreSQL; a failed purge is reported to the caller, who decides.
 */
export function createRedisLiveSiteCache(options: RedisLiveSiteCacheOptions): LiveSiteCache {
  const { redis } = options;
  const purgeHoldSeconds = options.purgeHoldSeconds ?? 5;
  const keyOf = (host: string) => `${options.keyPrefix}site:host:${host.toLowerCase()}`;
  return {
    async read(host) {
      const raw = await redis.get(keyOf(host)).catch(() => null);
      if (raw === null || raw === PURGED) {
        return undefined;
      }
      try {
        return JSON.parse(raw) as CachedLiveSite;
      } catch {
        return undefined;
      }
    },
    async write(host, site) {
      const ttl = site === 'none' ? options.missTtlSeconds : options.ttlSeconds;
      // NX: never overwrite a purge marker (or a fresher mapping written meanwhile).
      await redis.set(keyOf(host), JSON.stringify(site), 'EX', ttl, 'NX').catch(() => undefined);
    },
    async purgeHosts(hosts) {
      if (hosts.length === 0) {
        return;
      }
      const batch = redis.multi();
      for (const host of hosts) {
        batch.set(keyOf(host), PURGED, 'EX', purgeHoldSeconds);
      }
      const results = await batch.exec();
      const failure = results?.find(([err]) => err !== null)?.[0];
      if (failure) {
        throw failure;
      }
    },
  };
}
