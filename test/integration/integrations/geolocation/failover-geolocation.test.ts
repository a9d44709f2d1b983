import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  createFailoverGeolocation,
  type FailoverGeolocationOptions,
  type GeolocationProvider,
} from '../../../../src/integrations/geolocation/failover-geolocation.ts';
import type { Geolocation } from '../../../../src/integrations/geolocation/geolocation.ts';
import { createIpapiGeolocation } from '../../../../src/integrations/geolocation/ipapi-geolocation.ts';
import { createIpgeolocationGeolocation } from '../../../../src/integrations/geolocation/ipgeolocation-geolocation.ts';
import { createIpstackGeolocation } from '../../../../src/integrations/geolocation/ipstack-geolocation.ts';
import { createOfflineGeolocation } from '../../../../src/integrations/geolocation/offline-geolocation.ts';
import { createRedisClient } from '../../../../src/redis/create-redis-client.ts';
import {
  type GeoProviderServer,
  startGeoProviderServer,
} from '../../../support/stand-ins/geo-provider-server.ts';
import {
  createGeolocationIntegration,
  GOOGLE_DNS,
  silentLogger,
} from './geolocation-test-support.ts';

const DAY_SECONDS = 86_400;
const LOCATIONS = {
  [GOOGLE_DNS]: { country: 'US', region: 'California', city: 'Mountain View' },
  '81.2.69.160': { country: 'GB', region: 'England', city: 'London' },
  '9.9.9.9': { country: 'CH', region: 'Zurich', city: 'Zurich' },
};

let redis: Redis;
let keyPrefix: string;
let ipapi: GeoProviderServer;
let ipstack: GeoProviderServer;
let ipgeolocation: GeoProviderServer;
const extraServers: GeoProviderServer[] = [];
const offline = createOfflineGeolocation();
/** A fallback that knows nothing, for addresses every source calls unknown. */
const knowsNothing: Geolocation = { locate: () => Promise.resolve(undefined) };

beforeAll(async () => {
  keyPrefix = `test:${randomUUID()}:`;
  redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  [ipapi, ipstack, ipgeolocation] = await Promise.all([
    startGeoProviderServer({ vendor: 'ipapi', locations: LOCATIONS }),
    startGeoProviderServer({ vendor: 'ipstack', apiKey: 'stack-key', locations: LOCATIONS }),
    startGeoProviderServer({ vendor: 'ipgeolocation', apiKey: 'geo-key', locations: LOCATIONS }),
  ]);
});

afterEach(async () => {
  await Promise.all(extraServers.splice(0).map((server) => server.close()));
  const keys = await cachedKeys();
  if (keys.length > 0) {
    await redis.del(...keys);
  }
  for (const server of [ipapi, ipstack, ipgeolocation]) {
    server.setMode('normal');
    server.requests.length = 0;
  }
});

afterAll(async () => {
  await Promise.all([ipapi.close(), ipstack.close(), ipgeolocation.close()]);
  await redis.quit();
});

async function cachedKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

function vendors(
  names: readonly ('ipapi' | 'ipstack' | 'ipgeolocation')[],
  stackKey = 'stack-key',
) {
  // One integration (breaker) per provider, so one vendor's outage cannot block the others.
  return names.map((name): GeolocationProvider => {
    const { call } = createGeolocationIntegration({ timeoutMs: 500 });
    switch (name) {
      case 'ipapi':
        return { name, geolocation: createIpapiGeolocation({ baseUrl: ipapi.url, call }) };
      case 'ipstack':
        return {
          name,
          geolocation: createIpstackGeolocation({ apiKey: stackKey, baseUrl: ipstack.url, call }),
        };
      case 'ipgeolocation':
        return {
          name,
          geolocation: createIpgeolocationGeolocation({
            apiKey: 'geo-key',
            baseUrl: ipgeolocation.url,
            call,
          }),
        };
    }
  });
}

function failover(overrides: Partial<FailoverGeolocationOptions> = {}): Geolocation {
  return createFailoverGeolocation({
    providers: vendors(['ipapi', 'ipstack', 'ipgeolocation']),
    fallback: offline,
    cache: { redis, keyPrefix, ttlSeconds: DAY_SECONDS },
    logger: silentLogger,
    ...overrides,
  });
}

/** An extra ipapi stand-in that calls one public address reserved; closed after the test. */
async function startReservingIpapi(address: string): Promise<GeoProviderServer> {
  const server = await startGeoProviderServer({ vendor: 'ipapi', reserved: [address] });
  extraServers.push(server);
  return server;
}

const requestCounts = () => [
  ipapi.requests.length,
  ipstack.requests.length,
  ipgeolocation.requests.length,
];

describe('provider order and failover', () => {
  it('asks only the first provider when it answers', async () => {
    await expect(failover().locate(GOOGLE_DNS)).resolves.toMatchObject({ source: 'ipapi' });

    expect(requestCounts()).toEqual([1, 0, 0]);
  });

  it('follows the configured order, not a fixed one', async () => {
    const geolocation = failover({ providers: vendors(['ipgeolocation', 'ipapi']) });

    await expect(geolocation.locate(GOOGLE_DNS)).resolves.toMatchObject({
      source: 'ipgeolocation',
    });
    expect(requestCounts()).toEqual([0, 0, 1]);
  });

  it('moves to the second provider when the first answers 500', async () => {
    ipapi.setMode('down');

    const found = await failover().locate(GOOGLE_DNS);

    expect(found).toEqual({
      countryCode: 'US',
      region: 'California',
      city: 'Mountain View',
      source: 'ipstack',
    });
    expect(requestCounts()).toEqual([1, 1, 0]);
  });

  it('moves on when ipstack reports an error inside HTTP 200', async () => {
    const geolocation = failover({
      providers: vendors(['ipstack', 'ipgeolocation'], 'revoked-key'),
    });

    await expect(geolocation.locate(GOOGLE_DNS)).resolves.toMatchObject({
      source: 'ipgeolocation',
    });
    expect(requestCounts()).toEqual([0, 1, 1]);
  });

  it('moves on when a provider hangs past its timeout', async () => {
    ipapi.setMode('hang');

    await expect(failover().locate(GOOGLE_DNS)).resolves.toMatchObject({ source: 'ipstack' });
  });

  it('asks the next provider when one does not know the address', async () => {
    const unknownToIpapi = '81.2.69.160';
    const geolocation = failover({
      providers: [
        {
          name: 'ipapi',
          geolocation: createIpapiGeolocation({
            baseUrl: (await startReservingIpapi(unknownToIpapi)).url,
            call: createGeolocationIntegration().call,
          }),
        },
        ...vendors(['ipstack']),
      ],
    });

    await expect(geolocation.locate(unknownToIpapi)).resolves.toMatchObject({
      countryCode: 'GB',
      source: 'ipstack',
    });
  });

  it('answers from the offline database when every provider is down', async () => {
    for (const server of [ipapi, ipstack, ipgeolocation]) {
      server.setMode('down');
    }

    await expect(failover().locate(GOOGLE_DNS)).resolves.toEqual({
      countryCode: 'US',
      source: 'offline',
    });
    expect(requestCounts()).toEqual([1, 1, 1]);
  });

  it('uses the offline database alone when no provider is configured', async () => {
    await expect(failover({ providers: [] }).locate(GOOGLE_DNS)).resolves.toEqual({
      countryCode: 'US',
      source: 'offline',
    });
  });

  it('skips a provider whose quota ran out until its pause is over', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    ipapi.setMode('quota');
    const geolocation = failover({ now: () => now });
    await expect(geolocation.locate(GOOGLE_DNS)).resolves.toMatchObject({ source: 'ipstack' });
    ipapi.setMode('normal');

    await expect(geolocation.locate('9.9.9.9')).resolves.toMatchObject({ source: 'ipstack' });
    expect(ipapi.requests).toHaveLength(1);

    now += 60 * 60 * 1000;
    await expect(geolocation.locate('81.2.69.160')).resolves.toMatchObject({ source: 'ipapi' });
    expect(ipapi.requests).toHaveLength(2);
  });
});

describe('provider pauses', () => {
  it('are shared through Redis, so another process skips the paused provider too', async () => {
    ipapi.setMode('quota');
    await expect(failover().locate(GOOGLE_DNS)).resolves.toMatchObject({ source: 'ipstack' });
    ipapi.setMode('normal');

    const otherProcess = failover();
    await expect(otherProcess.locate('9.9.9.9')).resolves.toMatchObject({ source: 'ipstack' });

    expect(ipapi.requests).toHaveLength(1);
  });
});

describe('the Redis cache', () => {
  it('answers a repeated lookup without any HTTP request, even from another process', async () => {
    await failover().locate(GOOGLE_DNS);
    expect(requestCounts()).toEqual([1, 0, 0]);

    const found = await failover().locate(GOOGLE_DNS);

    expect(found).toEqual({
      countryCode: 'US',
      region: 'California',
      city: 'Mountain View',
      source: 'ipapi',
    });
    expect(requestCounts()).toEqual([1, 0, 0]);
  });

  it('keeps a found location for 24 hours', async () => {
    await failover().locate(GOOGLE_DNS);

    const ttl = await redis.ttl(`${keyPrefix}geo:${GOOGLE_DNS}`);

    expect(ttl).toBeGreaterThan(DAY_SECONDS - 10);
    expect(ttl).toBeLessThanOrEqual(DAY_SECONDS);
  });

  it('remembers an unknown address for about an hour, so it is not asked again', async () => {
    const unknown = '198.41.0.4';
    const geolocation = failover({ providers: vendors(['ipstack']), fallback: knowsNothing });
    await expect(geolocation.locate(unknown)).resolves.toBeUndefined();

    await expect(failover({ fallback: knowsNothing }).locate(unknown)).resolves.toBeUndefined();

    expect(requestCounts()).toEqual([0, 1, 0]);
    const ttl = await redis.ttl(`${keyPrefix}geo:${unknown}`);
    expect(ttl).toBeGreaterThan(3600 - 10);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('caches under the canonical address, so a mapped form hits the same entry', async () => {
    await failover().locate(`::ffff:${GOOGLE_DNS}`);

    await failover().locate(GOOGLE_DNS);

    expect(requestCounts()).toEqual([1, 0, 0]);
    expect(await cachedKeys()).toEqual([`${keyPrefix}geo:${GOOGLE_DNS}`]);
  });

  it('does not remember "unknown" when even the offline database failed', async () => {
    for (const server of [ipapi, ipstack, ipgeolocation]) {
      server.setMode('down');
    }
    const broken = createOfflineGeolocation({ databasePath: '/nonexistent/geo.mmdb' });

    await expect(failover({ fallback: broken }).locate(GOOGLE_DNS)).resolves.toBeUndefined();

    expect(await cachedKeys()).toEqual([]);
  });

  it('ignores a corrupt cache entry and looks the address up again', async () => {
    const geolocation = failover();
    await redis.set(`${keyPrefix}geo:${GOOGLE_DNS}`, '{"countryCode":42', 'EX', 60);

    await expect(geolocation.locate(GOOGLE_DNS)).resolves.toMatchObject({ countryCode: 'US' });
    expect(requestCounts()).toEqual([1, 0, 0]);
  });

  it('shares one lookup between concurrent views from the same address', async () => {
    const geolocation = failover();

    const answers = await Promise.all([1, 2, 3].map(() => geolocation.locate(GOOGLE_DNS)));

    expect(answers.map((answer) => answer?.countryCode)).toEqual(['US', 'US', 'US']);
    expect(requestCounts()).toEqual([1, 0, 0]);
  });

  it('still answers when Redis is unreachable, logging that the cache was bypassed', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    // Built the way production builds its client: lazy, failing fast instead of queueing.
    const unreachable = createRedisClient({ url: 'redis://127.0.0.1:1', keyPrefix: '' }, logger);
    const geolocation = failover({
      cache: { redis: unreachable, keyPrefix, ttlSeconds: DAY_SECONDS },
      logger,
    });

    try {
      const started = performance.now();
      await expect(geolocation.locate(GOOGLE_DNS)).resolves.toMatchObject({
        countryCode: 'US',
        source: 'ipapi',
      });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(lines.join('')).toContain('geolocation cache read failed');
    } finally {
      unreachable.disconnect();
    }
  });
});

describe('addresses that are never looked up', () => {
  it.each(['10.0.0.1', '192.168.1.20', '172.16.4.4', '127.0.0.1', '::1', 'fe80::1', 'fd00::1'])(
    'answers %s without a request or a cache entry',
    async (ip) => {
      await expect(failover().locate(ip)).resolves.toBeUndefined();

      expect(requestCounts()).toEqual([0, 0, 0]);
      expect(await cachedKeys()).toEqual([]);
    },
  );

  it.each(['', 'unknown', '8.8.8', '8.8.8.8, 1.1.1.1', '<script>'])(
    'answers the malformed %j without a request or a cache entry',
    async (ip) => {
      await expect(failover().locate(ip)).resolves.toBeUndefined();

      expect(requestCounts()).toEqual([0, 0, 0]);
      expect(await cachedKeys()).toEqual([]);
    },
  );
});
