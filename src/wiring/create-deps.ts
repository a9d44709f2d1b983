import { once } from 'node:events';

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import { createRedisLiveSiteCache } from '../cache/redis-live-site-cache.ts';
import { createRedisSiteHostChanges } from '../cache/redis-site-host-changes.ts';
import type { Config } from '../config/env.ts';
import { describeActiveDrivers } from '../config/integrations-env.ts';
import { createDatabase, type DatabaseHandle } from '../db/create-database.ts';
import { translateDatabaseError } from '../db/database-errors.ts';
import { createCursorCodec } from '../db/query/cursor-codec.ts';
import { createDeploymentStatusPage } from '../features/deployments/deployment-status-page.ts';
import { createDeploymentService } from '../features/deployments/deployments.service.ts';
import { createExportService } from '../features/exports/exports.service.ts';
import {
  createPortfolioService,
  type PortfolioService,
} from '../features/portfolios/portfolios.service.ts';
import { LiveHostSet } from '../features/sites/live-host-set.ts';
import type { LiveSiteCache } from '../features/sites/live-site-cache.ts';
import { createLiveSiteResolver } from '../features/sites/live-sites.ts';
import type { SiteAddress } from '../features/sites/site-address.ts';
import {
  createPortfolioHostPurge,
  type PurgePortfolioHosts,
} from '../features/sites/site-host-purge.ts';
import {
  createTemplateService,
  type TemplateService,
} from '../features/templates/templates.service.ts';
import { upsertUser } from '../features/users/users.repository.ts';
import type { WebhookDeliveryService } from '../features/webhooks/webhook-delivery.service.ts';
import type { WebhookEndpointService } from '../features/webhooks/webhook-endpoints.service.ts';
import { createTokenVerifier } from '../http/auth/token-verifier.ts';
import type { AppDeps } from '../http/create-app.ts';
import { createBullConnection } from '../jobs/create-bull-connection.ts';
import { enqueueInTransaction } from '../jobs/outbox/enqueue-in-transaction.ts';
import { createQueueMonitor } from '../jobs/queue-monitor.ts';
import { createMetricsRegistry } from '../metrics/create-metrics-registry.ts';
import { createDatabaseMetrics } from '../metrics/database-metrics.ts';
import { registerQueueGauge } from '../metrics/job-metrics.ts';
import { createRedisClient } from '../redis/create-redis-client.ts';
import { type Adapters, createAdapters } from './create-adapters.ts';
import { createIntegrations, type Integrations } from './create-integrations.ts';
import { createWebhooks } from './create-webhooks.ts';
import { createShutdown, type Shutdown } from './shutdown.ts';

export interface Deps {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  readonly redis: Redis;
  readonly metrics: Registry;
  readonly integrations: Integrations;
  readonly adapters: Adapters;
  readonly portfolios: PortfolioService;
  readonly templates: TemplateService;
  readonly webhookEndpoints: WebhookEndpointService;
  /** `dispatchEvent` for features raising events; `deliver` for the delivery job. */
  readonly webhookDeliveries: WebhookDeliveryService;
  /** Site host → live deployment, purged whenever a live pointer moves. */
  readonly liveSites: LiveSiteCache;
  /** The live site hosts in this process's memory; started by the HTTP server or first use. */
  readonly liveHosts: LiveHostSet;
  /** Where sites live (`BASE_DOMAIN`, with the scheme and port of `APP_URL`). */
  readonly siteAddress: SiteAddress;
  /** Clears a portfolio's cached hosts once what they serve has changed. */
  readonly purgeHosts: PurgePortfolioHosts;
  readonly shutdown: Shutdown;
  /** What the HTTP app needs, built from the above. */
  readonly app: AppDeps;
}

/** R-PERF-2: cached portfolio data lives 5 minutes unless purged sooner. */
const SITE_MAPPING_TTL_SECONDS = 300;
const SITE_MISS_TTL_SECONDS = 30;

/** Ready when a PING answers; waits for a connection in progress rather than failing at once. */
async function pingRedis(redis: Redis): Promise<void> {
  if (redis.status === 'wait') {
    await redis.connect();
  } else if (redis.status !== 'ready') {
    await once(redis, 'ready');
  }
  await redis.ping();
}

/**
 * The one composition root. Builds every adapter from config without connecting (pools and
 * Redis connect on first use), and registers each for shutdown in creation order.
 */
export function createDeps(config: Config, logger: Logger): Deps {
  const shutdown = createShutdown({ logger, graceMs: config.http.shutdownGraceMs });

  const metrics = createMetricsRegistry();
  const database = createDatabase(config.postgres, logger.child({ component: 'postgres' }), {
    guardTransactions: config.postgres.guardTransactions,
    observer: createDatabaseMetrics(metrics),
  });
  shutdown.register('postgres', () => database.close());

  const redis = createRedisClient(config.redis, logger.child({ component: 'redis' }));
  shutdown.register('redis', async () => {
    await redis.quit().catch(() => {
      redis.disconnect();
    });
  });

  const integrations = createIntegrations(config.integrations.resilience, {
    logger,
    registry: metrics,
  });
  shutdown.register('breakers', () => {
    integrations.shutdown();
    return Promise.resolve();
  });
  const adapters = createAdapters({
    config,
    db: database.db,
    redis,
    logger,
    integrations,
    shutdown,
  });

  const queueMonitor = createQueueMonitor({
    connection: createBullConnection({
      url: config.redis.url,
      role: 'producer',
      logger,
      commandTimeoutMs: config.jobs.addTimeoutMs,
    }),
    prefix: config.jobs.prefix,
  });
  shutdown.register('queue-monitor', () => queueMonitor.close());
  registerQueueGauge(metrics, () => queueMonitor.counts());

  const liveSites = createRedisLiveSiteCache({
    redis,
    keyPrefix: config.redis.keyPrefix,
    ttlSeconds: SITE_MAPPING_TTL_SECONDS,
    missTtlSeconds: SITE_MISS_TTL_SECONDS,
  });

  const siteAddress = { baseDomain: config.sites.baseDomain, publicUrl: config.http.publicUrl };
  const liveHosts = new LiveHostSet({
    db: database.db,
    address: siteAddress,
    changes: createRedisSiteHostChanges({ redis, keyPrefix: config.redis.keyPrefix, logger }),
    refreshIntervalMs: config.sites.hostsRefreshMs,
    logger: logger.child({ component: 'live-hosts' }),
  });
  shutdown.register('live-hosts', () => liveHosts.close());
  const purgeHosts = createPortfolioHostPurge({
    db: database.db,
    liveSites,
    liveHosts,
    siteAddress,
  });

  const cursorCodec = createCursorCodec(config.signing.secret);
  const portfolios = createPortfolioService({
    db: database.db,
    cursorCodec,
    purgeHosts,
    enqueueInTransaction,
    reservedSubdomains: config.sites.reservedSubdomains,
  });
  const templates = createTemplateService({ db: database.db, cursorCodec });
  const deployments = createDeploymentService({
    db: database.db,
    cursorCodec,
    enqueueInTransaction,
    siteAddress,
    purgeHosts,
  });
  const exports = createExportService({
    db: database.db,
    enqueueInTransaction,
    storage: adapters.storage,
  });
  const webhooks = createWebhooks({
    config,
    db: database.db,
    cursorCodec,
    logger,
    metrics,
    observer: integrations.observer,
    shutdown,
  });

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
      { name: 'redis', check: () => pingRedis(redis) },
    ],
    portfolios,
    templates,
    webhookEndpoints: webhooks.endpoints,
    deployments,
    deploymentStatusPage: createDeploymentStatusPage({
      db: database.db,
      signingSecret: config.signing.secret,
    }),
    exports,
    metrics,
    readBreakers: () => [...integrations.readBreakers(), ...webhooks.readBreakers()],
    readQueueCounts: () => queueMonitor.counts(),
    activeDrivers: describeActiveDrivers(config.integrations),
    storage: { storage: adapters.storage, signingSecret: config.signing.secret },
    acmeChallenges: adapters.acmeChallenges,
    sites: {
      address: siteAddress,
      resolve: createLiveSiteResolver({
        db: database.db,
        cache: liveSites,
        address: siteAddress,
        liveHosts,
      }),
      storage: adapters.storage,
    },
    queueDashboard: {
      queues: queueMonitor.queues(),
      secureCookie: config.http.publicUrl.startsWith('https:'),
    },
    errorTranslators: [translateDatabaseError],
  };

  return {
    config,
    logger,
    database,
    redis,
    metrics,
    integrations,
    adapters,
    portfolios,
    templates,
    webhookEndpoints: webhooks.endpoints,
    webhookDeliveries: webhooks.deliveries,
    liveSites,
    liveHosts,
    siteAddress,
    purgeHosts,
    shutdown,
    app,
  };
}
