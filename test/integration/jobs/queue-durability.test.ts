import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findQueueDurabilityGaps } from '../../../src/redis/queue-durability.ts';
import {
  type RedisServerProcess,
  startRedisServer,
} from '../../support/stand-ins/redis-server-process.ts';

// R-SEC-3 (issue 8, fault 19): a Redis that can lose queued jobs is named at start-up.

let server: RedisServerProcess;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

describe(findQueueDurabilityGaps.name, () => {
  it('names a server without an append-only file and with an evicting memory policy', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');

    const gaps = await findQueueDurabilityGaps(redis);

    expect(gaps).toEqual([
      { setting: 'appendonly', actual: 'no', wanted: 'yes' },
      { setting: 'maxmemory-policy', actual: 'allkeys-lru', wanted: 'noeviction' },
    ]);
  });

  it('finds nothing to say about the settings BullMQ needs', async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'appendfsync', 'everysec');
    // The append-only file itself is not switched on here (it would write into the working
    // directory), so only that one setting is left.
    const gaps = await findQueueDurabilityGaps(redis);

    expect(gaps?.map((gap) => gap.setting)).toEqual(['appendonly']);
  });

  it('answers undefined when the server refuses CONFIG (managed Redis)', async () => {
    await redis.call('ACL', 'SETUSER', 'app', 'on', '>secret', '~*', '&*', '+@all', '-config');
    const limited = new Redis(server.url, {
      username: 'app',
      password: 'secret',
      maxRetriesPerRequest: 1,
    });
    try {
      expect(await findQueueDurabilityGaps(limited)).toBeUndefined();
    } finally {
      limited.disconnect();
    }
  });
});
