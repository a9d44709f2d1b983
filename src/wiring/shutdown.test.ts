import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import { createShutdown } from './shutdown.ts';

const logger = pino({ level: 'silent' });

describe(createShutdown.name, () => {
  it('closes in reverse order of registration, once', async () => {
    const closed: string[] = [];
    const shutdown = createShutdown({ logger, graceMs: 1_000 });
    for (const name of ['postgres', 'redis', 'http']) {
      shutdown.register(name, () => {
        closed.push(name);
        return Promise.resolve();
      });
    }

    await Promise.all([shutdown.run('SIGTERM'), shutdown.run('SIGINT')]);

    expect(closed).toEqual(['http', 'redis', 'postgres']);
  });

  it('goes on closing the rest when one close fails', async () => {
    const closed: string[] = [];
    const shutdown = createShutdown({ logger, graceMs: 1_000 });
    shutdown.register('postgres', () => {
      closed.push('postgres');
      return Promise.resolve();
    });
    shutdown.register('redis', () => Promise.reject(new Error('already gone')));

    await shutdown.run('SIGTERM');

    expect(closed).toEqual(['postgres']);
  });

  it('returns after the grace period even if a close hangs', async () => {
    const shutdown = createShutdown({ logger, graceMs: 50 });
    shutdown.register('stuck', () => new Promise<void>(() => undefined));
    const startedAt = Date.now();

    await shutdown.run('SIGTERM');

    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });
});
