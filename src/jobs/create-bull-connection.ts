import type { ConnectionOptions as TlsOptions } from 'node:tls';

import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * `worker`: blocking reads; commands wait through an outage and run after the reconnect.
 * `producer`: adds fail at once while Redis is away, so the caller (the outbox) keeps the job.
 */
export type BullConnectionRole = 'worker' | 'producer';

export interface BullConnectionOptions {
  /** `redis://` or `rediss://` (TLS), with optional user, password and database number. */
  readonly url: string;
  readonly role: BullConnectionRole;
  /** Extra TLS settings for `rediss://`, e.g. a private CA. Ignored for `redis://`. */
  readonly tls?: TlsOptions;
  /** @defaultValue 10_000 */
  readonly connectTimeoutMs?: number;
  /** Producer only: a command with no answer after this long fails. @defaultValue 5_000 */
  readonly commandTimeoutMs?: number;
}

const DEFAULT_PORT = 6379;
const RECONNECT_STEP_MS = 250;
const MAX_RECONNECT_DELAY_MS = 3_000;

/**
 * ioredis options for one BullMQ role, built from a Redis URL. Reconnects forever (a restarted
 * Redis is picked up within 3 s of coming back); a failover replica answering READONLY is left
 * for the new primary.
 */
export function bullRedisOptions(options: BullConnectionOptions): RedisOptions {
  const url = new URL(options.url);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`a Redis URL must be redis:// or rediss://, not ${url.protocol}//`);
  }
  const database = url.pathname.replace(/^\//, '');
  const base: RedisOptions = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? DEFAULT_PORT : Number(url.port),
    db: database === '' ? 0 : Number(database),
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    retryStrategy: (attempt) => Math.min(attempt * RECONNECT_STEP_MS, MAX_RECONNECT_DELAY_MS),
    reconnectOnError: (err: Error) => err.message.startsWith('READONLY'),
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(url.protocol === 'rediss:' ? { tls: { ...options.tls } } : {}),
  };
  if (options.role === 'worker') {
    // BullMQ requires null for blocking connections: a blocked read must survive reconnects.
    return { ...base, maxRetriesPerRequest: null, enableOfflineQueue: true };
  }
  return {
    ...base,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
  };
}

/**
 * A connection of its own for one role (the producer's queues share it). It starts
 * connecting at once; the owner closes it on shutdown. One warning per outage, not per retry.
 */
export function createBullConnection(
  options: BullConnectionOptions & { readonly logger: Logger },
): Redis {
  const client = new Redis(bullRedisOptions(options));
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) {
      down = true;
      options.logger.warn(
        { role: options.role, err: { message: err.message } },
        'job queue Redis unreachable; reconnecting',
      );
    }
  });
  client.on('ready', () => {
    if (down) {
      options.logger.info({ role: options.role }, 'job queue Redis connection restored');
    }
    down = false;
  });
  return client;
}
