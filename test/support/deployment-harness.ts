import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Queue, type WorkerOptions } from 'bullmq';
import { pino } from 'pino';

import type { SiteAddress } from '../../src/features/sites/site-address.ts';
import { generateWebhookSecret } from '../../src/integrations/webhooks/standard-webhook-signer.ts';
import { bullRedisOptions, createBullConnection } from '../../src/jobs/create-bull-connection.ts';
import { createJobProducer, type JobProducer } from '../../src/jobs/create-job-producer.ts';
import { JOB_CATALOG } from '../../src/jobs/job-catalog.ts';
import { createOutboxRelay, type OutboxRelay } from '../../src/jobs/outbox/create-outbox-relay.ts';
import { startWorkers, type WorkerHost } from '../../src/jobs/start-workers.ts';
import {
  type DeploymentState,
  type LogRow,
  readDeployment,
  readDeploymentLog,
} from './deployment-factory.ts';
import {
  DEPLOYMENT_TEST_CATALOG,
  type DeploymentWiring,
  wireDeployments,
} from './deployment-wiring.ts';
import { type FaultyHttpProxy, startFaultyHttpProxy } from './stand-ins/faulty-http-proxy.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from './stand-ins/redis-queue-keys.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from './stand-ins/scripted-http-server.ts';
import { type S3rverStandIn, startS3rver } from './stand-ins/storage-s3rver.ts';
import { createTestContext, type TestContext } from './test-context.ts';

const logger = pino({ level: 'silent' });

export type WorkerSettings = Pick<
  WorkerOptions,
  'lockDuration' | 'stalledInterval' | 'drainDelay' | 'maxStalledCount'
>;

export interface DeploymentHarness {
  readonly ctx: TestContext;
  readonly siteAddress: SiteAddress;
  /** In front of s3rver: the only way the app reaches storage. */
  readonly proxy: FaultyHttpProxy;
  /** The operator's webhook endpoint (DEPLOYMENT_WEBHOOK_URL), answering 204. */
  readonly webhookReceiver: ScriptedHttpServer;
  readonly webhookSecret: string;
  /** Where the outbox email driver writes one `.eml` file per message. */
  readonly mailDirectory: string;
  readonly queuePrefix: string;
  readonly wiring: DeploymentWiring;
  /** The environment the app was configured with, for a worker in another process. */
  readonly processEnv: Readonly<Record<string, string>>;
  /** Starts in-process workers for the deployment jobs (closed by close()). */
  startWorkers(settings?: WorkerSettings): Promise<WorkerHost>;
  /** The deployments queue, for inspecting jobs. */
  readonly deploymentQueue: Queue;
  listMail(): Promise<string[]>;
  /** Polls the deployment until `done` accepts it. */
  waitForDeployment(
    deploymentId: string,
    done: (state: DeploymentState) => boolean,
    timeoutMs: number,
  ): Promise<DeploymentState>;
  /** Polls the deployment's log until a line matches; returns the whole log then. */
  waitForLogLine(deploymentId: string, pattern: RegExp, timeoutMs: number): Promise<LogRow[]>;
  close(): Promise<void>;
}

/**
 * A test file's deployment world: its own database, Redis prefix and queues, storage through
 * the S3 adapter to s3rver behind a fault-injecting proxy, outbox mail in a temporary
 * folder, a webhook receiver, and the outbox relay. Integration retries are fast (20 ms base)
 * while job backoff keeps the catalog's 2 s, 4 s, 8 s. Workers start on request.
 */
export async function startDeploymentHarness(
  env: Readonly<Record<string, string>> = {},
): Promise<DeploymentHarness> {
  const s3rver: S3rverStandIn = await startS3rver();
  const proxy = await startFaultyHttpProxy(s3rver.endpoint);
  const webhookReceiver = await startScriptedHttpServer({ status: 204 });
  const mailDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-deploy-mail-'));
  const webhookSecret = generateWebhookSecret();
  const queuePrefix = uniqueQueuePrefix();
  const appEnv: Record<string, string> = {
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: proxy.url,
    S3_ACCESS_KEY_ID: s3rver.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3rver.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    RETRY_COUNT: '1',
    RETRY_BASE_DELAY_MS: '20',
    RETRY_MAX_DELAY_MS: '100',
    // Injected outages must not open the storage breaker for the rest of the file.
    BREAKER_FAILURES_TO_OPEN: '1000',
    EMAIL_DRIVER: 'outbox',
    EMAIL_OUTBOX_DIRECTORY: mailDirectory,
    DEPLOYMENT_WEBHOOK_URL: `${webhookReceiver.url}/hooks`,
    DEPLOYMENT_WEBHOOK_SECRET: webhookSecret,
    JOBS_QUEUE_PREFIX: queuePrefix,
    // The local DNS adapter refuses a CNAME to the single-label default base domain
    // (`localhost`), so the sites' record points at a two-label host here.
    DNS_SITE_TARGET: 'sites.localhost',
    ...env,
  };
  const ctx = await createTestContext(appEnv);
  await ctx.deps.adapters.storage.ensureBuckets();
  const wiring = wireDeployments(ctx.deps);

  const redisUrl = ctx.config.redis.url;
  const producer: JobProducer = createJobProducer({
    catalog: JOB_CATALOG,
    connection: createBullConnection({ url: redisUrl, role: 'producer', logger }),
    prefix: queuePrefix,
    logger,
  });
  const relay: OutboxRelay = createOutboxRelay({
    db: ctx.deps.database.db,
    producer,
    logger,
    listenUrl: ctx.config.postgres.directUrl,
    pollIntervalMs: 200,
  });
  await relay.start();
  const deploymentQueue = new Queue('deployments', {
    connection: { url: redisUrl },
    prefix: queuePrefix,
  });
  const hosts: WorkerHost[] = [];

  return {
    ctx,
    siteAddress: { baseDomain: ctx.config.sites.baseDomain, publicUrl: ctx.config.http.publicUrl },
    proxy,
    webhookReceiver,
    webhookSecret,
    mailDirectory,
    queuePrefix,
    wiring,
    processEnv: {
      ...appEnv,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: ctx.config.postgres.url,
      DATABASE_DIRECT_URL: ctx.config.postgres.directUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: ctx.config.redis.keyPrefix,
    },
    deploymentQueue,
    async startWorkers(settings) {
      const host = startWorkers({
        catalog: DEPLOYMENT_TEST_CATALOG,
        handlers: wiring.handlers,
        connection: bullRedisOptions({ url: redisUrl, role: 'worker' }),
        prefix: queuePrefix,
        concurrency: { deployments: 1, pdf: 1, webhooks: 2 },
        logger,
        ...(settings === undefined ? {} : { workerSettings: settings }),
      });
      hosts.push(host);
      await host.waitUntilReady();
      return host;
    },
    async listMail() {
      const names = await readdir(mailDirectory);
      return names.filter((name) => name.endsWith('.eml'));
    },
    async waitForDeployment(deploymentId, done, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const state = await readDeployment(ctx.deps.database.db, deploymentId);
        if (done(state)) {
          return state;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `deployment ${deploymentId} did not get there within ${String(timeoutMs)} ms: ${JSON.stringify(state)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async waitForLogLine(deploymentId, pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const log = await readDeploymentLog(ctx.deps.database.db, deploymentId);
        if (log.some((row) => pattern.test(row.message))) {
          return log;
        }
        if (Date.now() > deadline) {
          throw new Error(`no log line of ${deploymentId} matched ${String(pattern)} in time`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await Promise.all(hosts.map((host) => host.close()));
      await relay.close();
      await producer.close();
      await deploymentQueue.close();
      await deleteQueueKeys(redisUrl, queuePrefix);
      await ctx.close();
      await webhookReceiver.close();
      await proxy.close();
      await s3rver.close();
      await rm(mailDirectory, { recursive: true, force: true });
    },
  };
}
