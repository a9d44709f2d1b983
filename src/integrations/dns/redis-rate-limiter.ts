import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';

import type { Redis } from 'ioredis';

import {
  type IntegrationName,
  IntegrationRateLimitedError,
} from '../resilience/integration-errors.ts';

export interface RedisRateLimiterOptions {
  readonly redis: Redis;
  readonly integration: IntegrationName;
  /**
   * The sorted set holding the window's request times; share it to share the budget. The
   * vendor's "blocked until" lives beside it, at `<key>:blocked-until`.
   */
  readonly key: string;
  readonly maxRequests: number;
  readonly windowMs: number;
  /** Longest wait for a free slot inside one attempt; longer waits fail retryable instead. */
  readonly maxWaitMs: number;
  /** Told when Redis cannot be asked; the request then goes ahead unthrottled. */
  readonly onUnavailable?: (err: unknown) => void;
}

export interface RateLimiter {
  /**
   * Resolves when one more request fits the budget. Rejects with IntegrationRateLimitedError
   * while the vendor's block lasts, or when the budget frees up only after `maxWaitMs`.
   */
  acquire(signal: AbortSignal): Promise<void>;
  /** Records that the vendor refuses every call for `waitMs` (a 429's Retry-After). */
  blockFor(waitMs: number): Promise<void>;
}

/**
 * Sliding-window log: KEYS[1] holds one member per request, scored by Redis's clock (so
 * every process agrees on time); KEYS[2] holds the end of a block the vendor imposed, on the
 * same clock. ARGV: window ms, budget, a unique member. Returns {0, 0} when the request was
 * counted, {1, ms} when the budget frees a slot in ms, {2, ms} when the block ends in ms.
 * Atomic, so concurrent callers in different processes never overspend.
 */
const TAKE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then
  return {2, blocked - now}
end
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {0, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {1, math.max(1, tonumber(oldest[2]) + window - now)}
`;

/**
 * KEYS[1]: the block's end (Redis clock, ms). ARGV[1]: the block's length in ms. Only ever
 * extends a block, so a short Retry-After arriving late cannot shorten a longer one.
 */
const BLOCK_FOR = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local wanted = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if wanted > current then
  redis.call('SET', KEYS[1], wanted, 'PX', tonumber(ARGV[1]))
end
return 0
`;

const SLOT_TAKEN = 0;
const BUDGET_USED_UP = 1;

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

  const blockedKey = `${options.key}:blocked-until`;

  /** What the budget says, or undefined when Redis could not be asked. */
  async function takeSlot(): Promise<readonly [number, number] | undefined> {
    try {
      await ensureConnected();
      const answer: unknown = await redis.eval(
        TAKE_SLOT,
        2,
        options.key,
        blockedKey,
        options.windowMs,
        options.maxRequests,
        randomUUID(),
      );
      const [kind, waitMs] = Array.isArray(answer) ? (answer as unknown[]) : [];
      return [Number(kind), Number(waitMs)];
    } catch (err) {
      // The budget protects the vendor account; losing Redis must not stop DNS changes.
      options.onUnavailable?.(err);
      return undefined;
    }
  }

  return {
    async acquire(signal) {
      for (;;) {
        const answer = await takeSlot();
        if (answer === undefined || answer[0] === SLOT_TAKEN) {
          return;
        }
        const [kind, waitMs] = answer;
        if (kind !== BUDGET_USED_UP || waitMs > options.maxWaitMs) {
          // Not the vendor's answer: nothing was sent, and the caller decides whether to wait.
          throw new IntegrationRateLimitedError(
            options.integration,
            kind === BUDGET_USED_UP
              ? `${options.integration} request budget of ${String(options.maxRequests)} per ${String(options.windowMs)} ms is used up`
              : `${options.integration} vendor asked us to wait; no request sent`,
            { blockedUntil: Date.now() + waitMs, fromVendor: false },
          );
        }
        await sleepFor(waitMs, undefined, { signal });
      }
    },

    async blockFor(waitMs) {
      if (waitMs <= 0) {
        return;
      }
      try {
        await ensureConnected();
        await redis.eval(BLOCK_FOR, 1, blockedKey, Math.ceil(waitMs));
      } catch (err) {
        options.onUnavailable?.(err);
      }
    },
  };
}
