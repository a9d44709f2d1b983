import { describe, expect, it } from 'vitest';

import { bullRedisOptions } from './create-bull-connection.ts';

describe(bullRedisOptions.name, () => {
  it('gives workers unlimited retries per command and an offline queue (BullMQ blocking reads)', () => {
    const options = bullRedisOptions({ url: 'redis://127.0.0.1:6379', role: 'worker' });

    expect(options).toMatchObject({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
    expect(options.tls).toBeUndefined();
    expect(options.commandTimeout).toBeUndefined();
  });

  it('makes producers fail fast: no offline queue, one retry, a command timeout', () => {
    const options = bullRedisOptions({
      url: 'redis://127.0.0.1:6379',
      role: 'producer',
      commandTimeoutMs: 1_500,
    });

    expect(options).toMatchObject({
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      commandTimeout: 1_500,
    });
  });

  it('turns on TLS for rediss:// and reads credentials, port and database from the URL', () => {
    const options = bullRedisOptions({
      url: 'rediss://default:p%40ss%2Fword@eu1-example.upstash.io:6380/2',
      role: 'worker',
      tls: { ca: 'PEM' },
    });

    expect(options).toMatchObject({
      host: 'eu1-example.upstash.io',
      port: 6380,
      db: 2,
      username: 'default',
      password: 'p@ss/word',
      tls: { ca: 'PEM' },
    });
  });

  it('ignores TLS settings for a plain redis:// URL', () => {
    const options = bullRedisOptions({
      url: 'redis://[::1]:7000',
      role: 'producer',
      tls: { ca: 'PEM' },
    });

    expect(options).toMatchObject({ host: '::1', port: 7000 });
    expect(options.tls).toBeUndefined();
  });

  it('reconnects forever, at most 3 s apart, and on READONLY after a failover', () => {
    const options = bullRedisOptions({ url: 'redis://127.0.0.1', role: 'worker' });
    const reconnectOnError = options.reconnectOnError as (err: Error) => boolean;

    expect([1, 4, 100].map((attempt) => options.retryStrategy?.(attempt))).toEqual([
      250, 1_000, 3_000,
    ]);
    expect(reconnectOnError(new Error('READONLY You can’t write against a replica.'))).toBe(true);
    expect(reconnectOnError(new Error('ERR unknown command'))).toBe(false);
  });

  it('refuses a URL that is not Redis', () => {
    expect(() => bullRedisOptions({ url: 'https://example.com', role: 'worker' })).toThrow(
      /redis:\/\/ or rediss:\/\//,
    );
  });
});
