import type { Redis } from 'ioredis';

import { UnavailableError } from '../../errors/app-error.ts';
import type { AcmeChallengeStore } from './acme-challenge-store.ts';

export interface RedisAcmeChallengeStoreOptions {
  readonly redis: Redis;
  /** Prepended to every token. @defaultValue 'acme-challenge:' */
  readonly keyPrefix?: string;
  /**
   * How long a key authorization is served if the issuer never removes it (a crash
   * mid-order). Longer than any validation takes. @defaultValue 600 (10 minutes)
   */
  readonly ttlSeconds?: number;
}

/** ACME challenges in Redis, so whichever API process the CA reaches can answer. */
export function createRedisAcmeChallengeStore(
  options: RedisAcmeChallengeStoreOptions,
): AcmeChallengeStore {
  const { redis } = options;
  const keyPrefix = options.keyPrefix ?? 'acme-challenge:';
  const ttlSeconds = options.ttlSeconds ?? 600;
  const keyOf = (token: string) => `${keyPrefix}${token}`;

  return {
    async set(token, keyAuthorization) {
      await redis.set(keyOf(token), keyAuthorization, 'EX', ttlSeconds);
    },
    async find(token) {
      try {
        return (await redis.get(keyOf(token))) ?? undefined;
      } catch (err) {
        // The CA retries validation; tell it (and our logs) this is an outage, not a 500.
        throw new UnavailableError('dependency.unavailable', 'Challenges cannot be read now.', {
          cause: err,
        });
      }
    },
    async remove(token) {
      await redis.del(keyOf(token));
    },
  };
}
