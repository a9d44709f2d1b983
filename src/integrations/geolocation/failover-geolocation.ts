import type { Logger } from 'pino';
import { z } from 'zod';

import type { GeoLocation, Geolocation } from './geolocation.ts';
import { publicAddressOf } from './ip-address.ts';

/** The two Redis commands the cache uses; an ioredis client satisfies it. */
export interface GeolocationCacheClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, expiry: 'EX', seconds: number): Promise<unknown>;
}

export interface GeolocationCacheOptions {
  readonly redis: GeolocationCacheClient;
  /** Prepended to `geo:<ip>`, e.g. the app's Redis prefix `rr:`. */
  readonly keyPrefix: string;
  /** Lifetime of a found location, in seconds. @defaultValue 86400 (set by config) */
  readonly ttlSeconds: number;
  /**
   * Lifetime of an "unknown" answer, in seconds, so an unknown address is not re-queried on
   * every view yet gets another chance soon. @defaultValue 3600, or `ttlSeconds` if shorter
   */
  readonly unknownTtlSeconds?: number;
}

export interface GeolocationProvider {
  /** For logs, e.g. `ipapi`. */
  readonly name: string;
  readonly geolocation: Geolocation;
}

export interface FailoverGeolocationOptions {
  /** Online providers, tried in this order. */
  readonly providers: readonly GeolocationProvider[];
  /** The last resort when every provider failed or did not know: the offline database. */
  readonly fallback: Geolocation;
  readonly cache?: GeolocationCacheOptions | undefined;
  readonly logger: Logger;
  /** Milliseconds since the epoch. @defaultValue Date.now */
  readonly now?: () => number;
}

const DEFAULT_UNKNOWN_TTL_SECONDS = 60 * 60;
/** Upper bound on how long a provider that asked for a pause is skipped. */
const MAX_COOL_DOWN_MS = 24 * 60 * 60 * 1000;

const cachedAnswer = z.union([
  z.object({ unknown: z.literal(true) }),
  z.object({
    countryCode: z.string().regex(/^[A-Z]{2}$/),
    region: z.string().optional(),
    city: z.string().optional(),
    source: z.string(),
  }),
]);

interface Lookup {
  readonly found: GeoLocation | undefined;
  readonly cacheable: boolean;
}

function retryAfterOf(err: unknown): number | undefined {
  const value = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Geolocation with a shared Redis cache in front of the providers, tried in order, and the
 * offline database behind them. It never throws: a lookup that cannot be answered is
 * undefined. Non-public addresses are answered without any lookup or cache entry.
 */
export function createFailoverGeolocation(options: FailoverGeolocationOptions): Geolocation {
  const { providers, fallback, cache, logger } = options;
  const now = options.now ?? Date.now;
  const unknownTtlSeconds = cache
    ? Math.min(cache.unknownTtlSeconds ?? DEFAULT_UNKNOWN_TTL_SECONDS, cache.ttlSeconds)
    : 0;
  /**
   * Provider name → time until which it asked not to be called (quota, rate limit). Kept in
   * Redis, shared by every process, when the cache is configured; this map only stands in
   * while Redis cannot be reached (or when no cache is configured).
   */
  const coolingDownUntil = new Map<string, number>();
  /** Concurrent views from one address share a single lookup. */
  const inFlight = new Map<string, Promise<GeoLocation | undefined>>();

  const cacheKey = (address: string): string => `${cache?.keyPrefix ?? ''}geo:${address}`;
  const pauseKey = (provider: string): string => `${cache?.keyPrefix ?? ''}geo-pause:${provider}`;

  async function pausedUntil(provider: string): Promise<number | undefined> {
    if (cache !== undefined) {
      try {
        const stored = await cache.redis.get(pauseKey(provider));
        return stored === null ? undefined : Number(stored);
      } catch {
        // Redis is down: fall back to what this process saw itself.
      }
    }
    return coolingDownUntil.get(provider);
  }

  async function pause(provider: string, pauseMs: number): Promise<void> {
    const until = now() + Math.min(pauseMs, MAX_COOL_DOWN_MS);
    coolingDownUntil.set(provider, until);
    if (cache !== undefined) {
      // The value is the deadline (so a test clock can pass it); the TTL cleans up.
      const ttlSeconds = Math.max(1, Math.ceil((until - now()) / 1000));
      await cache.redis.set(pauseKey(provider), String(until), 'EX', ttlSeconds).catch(() => {
        logger.warn({ provider }, 'could not share the provider pause through Redis');
      });
    }
  }

  async function readCache(address: string): Promise<{ hit: boolean; value?: GeoLocation }> {
    if (cache === undefined) {
      return { hit: false };
    }
    try {
      const text = await cache.redis.get(cacheKey(address));
      if (text === null) {
        return { hit: false };
      }
      const parsed = cachedAnswer.safeParse(JSON.parse(text));
      if (!parsed.success) {
        return { hit: false };
      }
      if ('unknown' in parsed.data) {
        return { hit: true };
      }
      const { countryCode, region, city, source } = parsed.data;
      return {
        hit: true,
        value: {
          countryCode,
          ...(region === undefined ? {} : { region }),
          ...(city === undefined ? {} : { city }),
          source,
        },
      };
    } catch (err) {
      logger.warn({ err: { message: messageOf(err) } }, 'geolocation cache read failed; bypassed');
      return { hit: false };
    }
  }

  async function writeCache(address: string, found: GeoLocation | undefined): Promise<void> {
    if (cache === undefined) {
      return;
    }
    const value = found ?? { unknown: true };
    const ttl = found === undefined ? unknownTtlSeconds : cache.ttlSeconds;
    try {
      await cache.redis.set(cacheKey(address), JSON.stringify(value), 'EX', ttl);
    } catch (err) {
      logger.warn({ err: { message: messageOf(err) } }, 'geolocation cache write failed');
    }
  }

  async function askProviders(address: string): Promise<Lookup> {
    for (const provider of providers) {
      const until = await pausedUntil(provider.name);
      if (until !== undefined && until > now()) {
        continue;
      }
      try {
        const found = await provider.geolocation.locate(address);
        if (found !== undefined) {
          return { found, cacheable: true };
        }
      } catch (err) {
        const pauseMs = retryAfterOf(err);
        if (pauseMs !== undefined) {
          await pause(provider.name, pauseMs);
        }
        logger.warn(
          { provider: provider.name, pauseMs, err: { message: messageOf(err) } },
          'geolocation provider failed; trying the next',
        );
      }
    }
    try {
      return { found: await fallback.locate(address), cacheable: true };
    } catch (err) {
      logger.error({ err: { message: messageOf(err) } }, 'offline geolocation failed');
      // Nothing answered for real, so an "unknown" here must not be remembered.
      return { found: undefined, cacheable: false };
    }
  }

  async function lookUp(address: string): Promise<GeoLocation | undefined> {
    const cached = await readCache(address);
    if (cached.hit) {
      return cached.value;
    }
    const { found, cacheable } = await askProviders(address);
    if (cacheable) {
      await writeCache(address, found);
    }
    return found;
  }

  return {
    locate(ip) {
      const address = publicAddressOf(ip);
      if (address === undefined) {
        return Promise.resolve(undefined);
      }
      let pending = inFlight.get(address);
      if (pending === undefined) {
        pending = lookUp(address).finally(() => inFlight.delete(address));
        inFlight.set(address, pending);
      }
      return pending;
    },
  };
}
