import { Redis } from 'ioredis';
import type { Logger } from 'pino';

import type { Config } from '../config/env.ts';

export type RedisConfig = Config['redis'];

const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * The shared command connection (cache, readiness, small shared state). It starts connecting
 * when created (by the composition root, never at import). Commands fail at once while Redis
 * is down instead of queueing, so a request never hangs on it; reconnects go on in the
 * background. `rediss://` URLs get TLS from ioredis itself.
 */
export function createRedisClient(config: RedisConfig, logger: Logger): Redis {
  const client = new Redis(config.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
  });
  // One warning per outage rather than one per reconnect attempt.
  let reported = false;
  client.on('error', (err: Error) => {
    if (!reported) {
      reported = true;
      logger.warn({ err: { message: err.message } }, 'Redis unreachable; retrying in background');
    }
  });
  client.on('ready', () => {
    if (reported) {
      logger.info('Redis connection restored');
    }
    reported = false;
  });
  return client;
}
