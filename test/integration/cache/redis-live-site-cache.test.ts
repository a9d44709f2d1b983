import { randomBytes, randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRedisLiveSiteCache } from '../../../src/cache/redis-live-site-cache.ts';
import type { LiveSite } from '../../../src/features/sites/live-site-cache.ts';

const keyPrefix = `t${randomBytes(4).toString('hex')}:`;
let redis: Redis;

const site = (): LiveSite => ({
  portfolioId: randomUUID(),
  deploymentId: randomUUID(),
  manifest: { files: {} },
});

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379');
});

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) {
    await redis.del(...keys);
  }
  await redis.quit();
});

describe('the Redis live-site cache (R-PLAT-3)', () => {
  const cache = () =>
    createRedisLiveSiteCache({
      redis,
      keyPrefix,
      ttlSeconds: 300,
      missTtlSeconds: 30,
      purgeHoldSeconds: 1,
    });

  it('keeps a mapping for its TTL and a miss for the shorter one', async () => {
    const live = site();
    await cache().write('jane.localhost', live);
    await cache().write('nobody.localhost', 'none');

    expect(await cache().read('JANE.localhost')).toEqual(live);
    expect(await cache().read('nobody.localhost')).toBe('none');
    expect(await redis.ttl(`${keyPrefix}site:host:jane.localhost`)).toBeGreaterThan(30);
    expect(await redis.ttl(`${keyPrefix}site:host:nobody.localhost`)).toBeLessThanOrEqual(30);
  });

  it('refuses a stale write-back right after a purge, and caches again once the hold ends', async () => {
    const old = site();
    const fresh = site();
    await cache().write('bob.localhost', old);

    await cache().purgeHosts(['bob.localhost', 'unknown.localhost']);
    // A lookup that read the row before the switch tries to store it after the purge.
    await cache().write('bob.localhost', old);
    const duringHold = await cache().read('bob.localhost');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await cache().write('bob.localhost', fresh);

    expect(duringHold).toBeUndefined();
    expect(await cache().read('bob.localhost')).toEqual(fresh);
  });

  it('treats an unreachable Redis as a miss on read and reports it on purge', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const unreachable = createRedisLiveSiteCache({
      redis: down,
      keyPrefix,
      ttlSeconds: 300,
      missTtlSeconds: 30,
    });

    expect(await unreachable.read('jane.localhost')).toBeUndefined();
    await expect(unreachable.write('jane.localhost', 'none')).resolves.toBeUndefined();
    await expect(unreachable.purgeHosts(['jane.localhost'])).rejects.toThrow();
    down.disconnect();
  });
});
