import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import { findQueueDurabilityGaps } from '../redis/queue-durability.ts';

/**
 * Logs, once Redis answers, each setting that lets it lose queued jobs (R-SEC-3). Never
 * blocks or fails start-up: the recovery sweeps requeue unfinished work from PostgreSQL.
 */
export async function warnAboutQueueDurability(redis: Redis, logger: Logger): Promise<void> {
  try {
    if (redis.status !== 'ready') {
      await new Promise<void>((resolve) => redis.once('ready', resolve));
    }
    const gaps = await findQueueDurabilityGaps(redis);
    if (gaps === undefined) {
      logger.info(
        'Redis settings cannot be read (CONFIG is disabled); make sure it keeps an append-only ' +
          'file and uses maxmemory-policy noeviction, or queued jobs can be lost',
      );
      return;
    }
    for (const gap of gaps) {
      logger.warn(
        { setting: gap.setting, actual: gap.actual, wanted: gap.wanted },
        `Redis ${gap.setting} is "${gap.actual}", not "${gap.wanted}": queued jobs can be lost on a restart or under memory pressure`,
      );
    }
  } catch (err) {
    logger.warn({ err }, 'could not check the Redis persistence settings');
  }
}
