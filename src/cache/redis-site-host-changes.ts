import { randomUUID } from 'node:crypto';

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';

import type {
  SiteHostChangeListener,
  SiteHostChanges,
  SiteHostSubscription,
} from '../features/sites/site-host-changes.ts';

export interface RedisSiteHostChangesOptions {
  /** The command connection: publishes, and is duplicated for the subscriber connection. */
  readonly redis: Redis;
  /** The deployment-wide Redis key prefix (`REDIS_KEY_PREFIX`); it scopes the channel too. */
  readonly keyPrefix: string;
  readonly logger: Logger;
}

const MAX_HOSTS_PER_MESSAGE = 1_000;

const messageSchema = z.object({
  from: z.string().min(1).max(64),
  hosts: z.array(z.string().min(1).max(253)).max(MAX_HOSTS_PER_MESSAGE),
});

/**
 * Site host announcements over Redis pub/sub (R-SEC-5). Pub/sub stores nothing, so it adds no
 * keys. Each instance tags its messages and ignores its own: the publisher has already applied
 * the change locally. The subscriber has its own connection, which queues commands while
 * Redis is away (unlike the fail-fast command connection), and subscribes again on every
 * reconnect, telling the listener so it can re-read what it may have missed.
 */
export function createRedisSiteHostChanges(options: RedisSiteHostChangesOptions): SiteHostChanges {
  const { redis, logger } = options;
  const channel = `${options.keyPrefix}site:hosts-changed`;
  const instanceId = randomUUID();

  return {
    async publish(hosts) {
      if (hosts.length === 0) {
        return;
      }
      for (let start = 0; start < hosts.length; start += MAX_HOSTS_PER_MESSAGE) {
        const batch = hosts.slice(start, start + MAX_HOSTS_PER_MESSAGE);
        await redis.publish(channel, JSON.stringify({ from: instanceId, hosts: batch }));
      }
    },

    subscribe(listener: SiteHostChangeListener): SiteHostSubscription {
      const subscriber = redis.duplicate({
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
        // Subscribed by hand on each 'ready' below, so the listener hears of every reconnect.
        autoResubscribe: false,
      });
      let reported = false;
      subscriber.on('error', (err: Error) => {
        if (!reported) {
          reported = true;
          logger.warn({ err: { message: err.message } }, 'site host subscription lost; retrying');
        }
      });
      subscriber.on('ready', () => {
        reported = false;
        subscriber.subscribe(channel).then(
          () => {
            listener.onSubscribed();
          },
          (err: unknown) => {
            logger.warn({ err }, 'could not subscribe to site host changes');
          },
        );
      });
      subscriber.on('message', (from: string, raw: string) => {
        if (from !== channel) {
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          parsed = undefined;
        }
        const message = messageSchema.safeParse(parsed);
        if (!message.success) {
          logger.warn('ignored a malformed site host announcement');
          return;
        }
        if (message.data.from !== instanceId) {
          listener.onHosts(message.data.hosts);
        }
      });
      return {
        async close() {
          await subscriber.quit().catch(() => {
            subscriber.disconnect();
          });
        },
      };
    },
  };
}
