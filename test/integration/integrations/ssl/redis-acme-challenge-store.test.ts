import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRedisAcmeChallengeStore } from '../../../../src/integrations/ssl/redis-acme-challenge-store.ts';

let redis: Redis;
const keyPrefix = `test:acme-store:${randomUUID()}:`;

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});

afterAll(async () => {
  const leftovers = await redis.keys(`${keyPrefix}*`);
  if (leftovers.length > 0) {
    await redis.del(...leftovers);
  }
  redis.disconnect();
});

describe(createRedisAcmeChallengeStore.name, () => {
  it('stores a key authorization under the prefix with a 10-minute expiry', async () => {
    const store = createRedisAcmeChallengeStore({ redis, keyPrefix });

    await store.set('token-1', 'token-1.thumbprint');

    expect(await redis.get(`${keyPrefix}token-1`)).toBe('token-1.thumbprint');
    const ttlSeconds = await redis.ttl(`${keyPrefix}token-1`);
    expect(ttlSeconds).toBeGreaterThan(590);
    expect(ttlSeconds).toBeLessThanOrEqual(600);
  });

  it('finds what another store on the same Redis set, as another API process would', async () => {
    const writer = createRedisAcmeChallengeStore({ redis, keyPrefix });
    const reader = createRedisAcmeChallengeStore({ redis, keyPrefix });

    await writer.set('token-2', 'token-2.thumbprint');

    expect(await reader.find('token-2')).toBe('token-2.thumbprint');
    expect(await reader.find('token-unknown')).toBeUndefined();
  });

  it('forgets a removed token, and removing an unknown one is fine', async () => {
    const store = createRedisAcmeChallengeStore({ redis, keyPrefix });
    await store.set('token-3', 'token-3.thumbprint');

    await store.remove('token-3');
    await store.remove('token-never-set');

    expect(await store.find('token-3')).toBeUndefined();
    expect(await redis.exists(`${keyPrefix}token-3`)).toBe(0);
  });

  it('expires entries after the configured TTL', async () => {
    const store = createRedisAcmeChallengeStore({ redis, keyPrefix, ttlSeconds: 1 });

    await store.set('token-4', 'token-4.thumbprint');

    expect(await redis.ttl(`${keyPrefix}token-4`)).toBe(1);
  });
});
