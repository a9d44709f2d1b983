import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DeploymentRunOptions } from '../../../src/features/deployments/deployment-runner.ts';
import { subdomainHost } from '../../../src/features/sites/site-address.ts';
import { bullRedisOptions } from '../../../src/jobs/create-bull-connection.ts';
import type { JobHandlers } from '../../../src/jobs/job-handler.ts';
import { startWorkers, type WorkerHost } from '../../../src/jobs/start-workers.ts';
import {
  createDeploymentFixture,
  enqueueDeployment,
  readDeployment,
  readDeploymentLog,
} from '../../support/deployment-factory.ts';
import {
  type DeploymentHarness,
  startDeploymentHarness,
} from '../../support/deployment-harness.ts';
import {
  DEPLOYMENT_TEST_CATALOG,
  type DeploymentTestCatalog,
} from '../../support/deployment-wiring.ts';

// What happens after a process dies at the worst moment: between activation and the cache
// purge, while the FAILED write is attempted, or twice in a row while holding a job.

let h: DeploymentHarness;

beforeAll(async () => {
  h = await startDeploymentHarness();
});

afterAll(async () => {
  await h.close();
});

function lastAttempt(): DeploymentRunOptions {
  return { attempt: 4, maxAttempts: 4, signal: new AbortController().signal };
}

async function addVerifiedDomain(portfolioId: string, userId: string): Promise<string> {
  const domain = `extra-${randomBytes(4).toString('hex')}.example.org`;
  await h.ctx.deps.database.db
    .insertInto('custom_domains')
    .values({
      portfolio_id: portfolioId,
      owner_id: userId,
      domain,
      verification_token: randomBytes(24).toString('hex'),
      verified_at: new Date(),
    })
    .execute();
  return domain;
}

/** What a process leaves behind when it dies right after activation commits: no purge. */
async function activateWithoutPurge(
  fixture: { readonly deploymentId: string; readonly portfolioId: string },
  live: boolean,
) {
  const db = h.ctx.deps.database.db;
  await db
    .updateTable('deployments')
    .set({ status: 'DEPLOYED', current_step: 'ACTIVATING', progress: 100, finished_at: new Date() })
    .where('id', '=', fixture.deploymentId)
    .execute();
  await db
    .updateTable('portfolios')
    .set({ live_deployment_id: live ? fixture.deploymentId : null })
    .where('id', '=', fixture.portfolioId)
    .execute();
}

describe('the site cache after activation (R-PLAT-3)', () => {
  async function fixtureWithCachedHosts() {
    const fixture = await createDeploymentFixture(h.ctx.deps.database.db, h.siteAddress);
    const extra = await addVerifiedDomain(fixture.portfolioId, fixture.userId);
    const hosts = [subdomainHost(h.siteAddress, fixture.subdomain), extra];
    await Promise.all(hosts.map((host) => h.ctx.deps.liveSites.write(host, 'none')));
    const cached = () => Promise.all(hosts.map((host) => h.ctx.deps.liveSites.read(host)));
    expect(await cached()).toEqual(['none', 'none']);
    return { fixture, cached };
  }

  it('purges every host of the portfolio, including a verified domain the deployment was not built for', async () => {
    const { fixture, cached } = await fixtureWithCachedHosts();

    const outcome = await h.wiring.runner.run(fixture.deploymentId, lastAttempt());

    expect(outcome.kind).toBe('deployed');
    expect(await cached()).toEqual([undefined, undefined]);
  });

  it('purges again when a rerun finds the deployment DEPLOYED and live (the purge after activation was lost)', async () => {
    const { fixture, cached } = await fixtureWithCachedHosts();
    await activateWithoutPurge(fixture, true);

    const rerun = await h.wiring.runner.run(fixture.deploymentId, lastAttempt());

    expect(rerun).toEqual({ kind: 'skipped', reason: 'the deployment is already DEPLOYED' });
    expect(await cached()).toEqual([undefined, undefined]);
  });

  it('leaves the cache alone on a rerun of a DEPLOYED deployment that is no longer live', async () => {
    const { fixture, cached } = await fixtureWithCachedHosts();
    await activateWithoutPurge(fixture, false);

    const rerun = await h.wiring.runner.run(fixture.deploymentId, lastAttempt());

    expect(rerun.kind).toBe('skipped');
    expect(await cached()).toEqual(['none', 'none']);
  });
});

describe('the last attempt when the database refuses a write (R-JOB-5)', () => {
  it('still ends FAILED when recording the attempt start fails', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress);
    // A write failure injected in the real database, for the attempt-start log line only.
    await sql`
      CREATE FUNCTION refuse_attempt_start() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.message LIKE 'Attempt 4 of 4 started%' THEN
          RAISE EXCEPTION 'injected failure';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_attempt_start BEFORE INSERT ON deployment_logs
        FOR EACH ROW EXECUTE FUNCTION refuse_attempt_start();
    `.execute(db);
    try {
      const outcome = await h.wiring.runner.run(fixture.deploymentId, lastAttempt());

      expect(outcome).toMatchObject({ kind: 'failed', failure: { code: 'deployment.internal' } });
    } finally {
      await sql`
        DROP TRIGGER refuse_attempt_start ON deployment_logs;
        DROP FUNCTION refuse_attempt_start();
      `.execute(db);
    }
    expect(await readDeployment(db, fixture.deploymentId)).toMatchObject({
      status: 'FAILED',
      errorCode: 'deployment.internal',
    });
    const log = await readDeploymentLog(db, fixture.deploymentId);
    expect(log.at(-1)?.message).toBe('Deployment failed: attempt 4 of 4 was the last');
  });

  it('lets the error through when the FAILED write fails, leaving the deployment unfinished but untouched', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress);
    const id = fixture.deploymentId;
    h.proxy.failWhen((request) => request.url.includes(id));
    await sql`
      CREATE FUNCTION refuse_failed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'FAILED' THEN
          RAISE EXCEPTION 'injected failure';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_failed BEFORE UPDATE ON deployments
        FOR EACH ROW EXECUTE FUNCTION refuse_failed();
    `.execute(db);
    let error: unknown;
    try {
      await h.wiring.runner.run(id, lastAttempt()).catch((err: unknown) => {
        error = err;
      });
    } finally {
      h.proxy.heal();
      await sql`
        DROP TRIGGER refuse_failed ON deployments;
        DROP FUNCTION refuse_failed();
      `.execute(db);
    }

    expect(String(error)).toContain('injected failure');
    // Unfinished: the next request for the portfolio abandons it once it is stale.
    expect(await readDeployment(db, id)).toMatchObject({ status: 'UPLOADING', errorCode: null });
  });
});

describe('a deployment job whose worker is lost twice (R-JOB-13)', () => {
  let host: WorkerHost | undefined;
  let redis: Redis | undefined;

  afterAll(async () => {
    await host?.close();
    await redis?.quit();
  });

  it('goes back to the queue each time and is deployed by the third run, not failed by BullMQ', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress);
    const client = new Redis(h.ctx.config.redis.url);
    redis = client;
    let runs = 0;
    const handlers: JobHandlers<DeploymentTestCatalog> = {
      ...h.wiring.handlers,
      async 'deployment.run'(payload, context) {
        runs += 1;
        if (runs > 2) {
          return h.wiring.handlers['deployment.run'](payload, context);
        }
        // A frozen or dead worker as the queue sees it: the lock is gone and the job stays
        // active until the stalled check takes it back.
        await client.del(`${h.queuePrefix}:deployments:${context.jobId}:lock`);
        const deadline = Date.now() + 10_000;
        while ((await h.deploymentQueue.getJobState(context.jobId)) === 'active') {
          if (Date.now() > deadline) {
            throw new Error('the stalled check never took the job back');
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return { status: 'skipped', reason: 'lost its lock' };
      },
    };
    host = startWorkers({
      catalog: DEPLOYMENT_TEST_CATALOG,
      handlers,
      connection: bullRedisOptions({ url: h.ctx.config.redis.url, role: 'worker' }),
      prefix: h.queuePrefix,
      concurrency: { deployments: 1, pdf: 1, webhooks: 1 },
      logger: pino({ level: 'silent' }),
      workerSettings: { stalledInterval: 200 },
    });
    await host.waitUntilReady();

    await enqueueDeployment(db, fixture.deploymentId);
    const state = await h.waitForDeployment(
      fixture.deploymentId,
      (s) => s.status === 'DEPLOYED' || s.status === 'FAILED',
      20_000,
    );

    // Marked completed just after the deployment is recorded DEPLOYED.
    const deadline = Date.now() + 5_000;
    while ((await h.deploymentQueue.getJobState(fixture.deploymentId)) !== 'completed') {
      if (Date.now() > deadline) {
        throw new Error('the job did not complete');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    expect(runs).toBe(3);
    expect(state.status).toBe('DEPLOYED');
    const job = await h.deploymentQueue.getJob(fixture.deploymentId);
    expect(job?.stalledCounter).toBe(2);
  });
});
