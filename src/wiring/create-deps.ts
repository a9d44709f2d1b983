import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import type { Config } from '../config/env.ts';
import { createDatabase, type DatabaseHandle } from '../db/create-database.ts';
import { createCursorCodec } from '../db/query/cursor-codec.ts';
import {
  createPortfolioService,
  type PortfolioService,
} from '../features/portfolios/portfolios.service.ts';
import {
  createTemplateService,
  type TemplateService,
} from '../features/templates/templates.service.ts';
import { upsertUser } from '../features/users/users.repository.ts';
import { createTokenVerifier } from '../http/auth/token-verifier.ts';
import type { AppDeps } from '../http/create-app.ts';
import { createRedisClient } from '../redis/create-redis-client.ts';
import { createShutdown, type Shutdown } from './shutdown.ts';

export interface Deps {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  readonly redis: Redis;
  readonly portfolios: PortfolioService;
  readonly templates: TemplateService;
  readonly shutdown: Shutdown;
  /** What the HTTP app needs, built from the above. */
  readonly app: AppDeps;
}

/**
 * The one composition root. Builds every adapter from config without connecting (pools and
 * Redis connect on first use), and registers each for shutdown in creation order.
 */
export function createDeps(config: Config, logger: Logger): Deps {
  const shutdown = createShutdown({ logger, graceMs: config.http.shutdownGraceMs });

  const database = createDatabase(config.postgres, logger.child({ component: 'postgres' }));
  shutdown.register('postgres', () => database.close());

  const redis = createRedisClient(config.redis, logger.child({ component: 'redis' }));
  shutdown.register('redis', async () => {
    await redis.quit().catch(() => {
      redis.disconnect();
    });
  });

  const cursorCodec = createCursorCodec(config.signing.secret);
  const portfolios = createPortfolioService({ db: database.db, cursorCodec });
  const templates = createTemplateService({ db: database.db, cursorCodec });

  const app: AppDeps = {
    logger,
    bodyLimitBytes: config.http.bodyLimitBytes,
    auth: {
      verifyToken: createTokenVerifier(config.auth),
      adminRole: config.auth.adminRole,
      recordUser: (claims) => upsertUser(database.db, claims),
    },
    readinessChecks: [
      { name: 'postgres', check: () => database.ping() },
      {
        name: 'redis',
        check: async () => {
          if (redis.status === 'wait') {
            await redis.connect();
          }
          await redis.ping();
        },
      },
    ],
    portfolios,
    templates,
  };

  return { config, logger, database, redis, portfolios, templates, shutdown, app };
}
