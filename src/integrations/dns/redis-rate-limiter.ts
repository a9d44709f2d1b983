import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';

import type { Redis } from 'ioredis';

import { IntegrationFailure, type IntegrationName } from '../resilience/integration-errors.ts';

export interface RedisRateLimiterOptions {
  readonly redis: Redis;
  readonly integration: IntegrationName;
  /** The sorted set holding the window's request times; share it to share the budget. */
  readonly key: string;
  readonly maxRequests: number;
  readonly windowMs: number;
  /** Longest wait for a free slot inside one attempt; longer waits fail retryable instead. */
  readonly maxWaitMs: number;
  /** Told when Redis cannot be asked; the request then goes ahead unthrottled. */
  readonly onUnavailable?: (err: unknown) => void;
}

export interface RateLimiter {
  /** Resolves when one more request fits the budget; rejects if the wait is too long. */
  acquire(signal: AbortSignal): Promise<void>;
}

/**
 * Sliding-window log: KEYS[1] holds one member per request, scored by Redis's clock (so
 * every process agrees on time). ARGV: window ms, budget, a unique member. Returns 0 when
 * the request was counted, else the ms until the oldest entry leaves the window. Atomic,
 * so concurrent callers in different processes never overspend.
 */
const TAKE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

/** A request budget shared by every process that uses the same Redis key. */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { redis } = options;
  let connecting: Promise<void> | undefined;

  // The shared client connects lazily and refuses commands until it has; concurrent first
  // callers share one connect instead of failing each other.
  async function ensureConnected(): Promise<void> {
    if (redis.status === 'wait') {
      connecting ??= redis.connect().finally(() => {
        connecting = undefined;
      });
    }
    await connecting;
  }

  async function takeSlot(): Promise<number | undefined> {
    try {
      await ensureConnected();
      const waitMs = await redis.eval(
        TAKE_SLOT,
        1,
        options.key,
        options.windowMs,
        options.maxRequests,
        randomUUID(),
      );
      return Number(waitMs);
    } catch (err) {
      // The budget protects the vendor account; losing Redis must not stop DNS changes.
      options.onUnavailable?.(err);
      return undefined;
    }
  }

  return {
    async acquire(signal) {
      for (;;) {
        const waitMs = await takeSlot();
        if (waitMs === undefined || waitMs <= 0) {
          return;
        }
        if (waitMs > options.maxWaitMs) {
          throw new IntegrationFailure(
            options.integration,
            `${options.integration} request budget of ${String(options.maxRequests)} per ${String(options.windowMs)} ms is used up`,
            { kind: 'retryable', retryAfterMs: waitMs },
          );
        }
        await sleepFor(waitMs, undefined, { signal });
      }
    },
  };
}
