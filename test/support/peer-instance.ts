import { loadConfig, readEnvironment } from '../../src/config/env.ts';
import { createApp } from '../../src/http/create-app.ts';
import { createDeps, type Deps } from '../../src/wiring/create-deps.ts';
import { createLogger } from '../../src/wiring/create-logger.ts';
import type { TestContext } from './test-context.ts';

/** A second app instance, as another process would run it. */
export interface PeerInstance {
  readonly deps: Deps;
  readonly app: ReturnType<typeof createApp>;
  /** Status of GET / at `host`, body read. */
  statusAt(host: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Another instance of the app over the same PostgreSQL database and Redis key prefix as `ctx`,
 * with its own pools, Redis connections and memory: what a second process of the same
 * deployment shares, and what it does not. Storage settings come through `overrides`.
 */
export function createPeerInstance(
  ctx: TestContext,
  overrides: Record<string, string> = {},
): PeerInstance {
  const config = loadConfig({
    ...readEnvironment(),
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: ctx.config.postgres.url,
    DATABASE_DIRECT_URL: ctx.config.postgres.directUrl,
    REDIS_KEY_PREFIX: ctx.config.redis.keyPrefix,
    ...overrides,
  });
  const deps = createDeps(config, createLogger(config));
  const app = createApp(deps.app);
  return {
    deps,
    app,
    async statusAt(host) {
      const response = await app.request('/', { headers: { host } });
      await response.arrayBuffer();
      return response.status;
    },
    close: () => deps.shutdown.run('peer finished'),
  };
}
