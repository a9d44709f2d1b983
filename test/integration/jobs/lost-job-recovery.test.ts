import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startJobProcessing } from '../../../src/wiring/start-job-processing.ts';
import {
  createPortfolio,
  type DeploymentBody,
  requestDeployment,
  SITE_ENV,
} from '../../support/deployment-api.ts';
import { seededTemplateId } from '../../support/factories.ts';
import { relayOutboxOnce } from '../../support/relay-once.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import { openQueue, waitFor } from './job-test-support.ts';

// R-SEC-3 (issue 8, fault 19): PostgreSQL stays the source of truth. Jobs that reached Redis
// and were lost there (a restart without persistence, a failover, a flush) are queued again
// by the `work` role's sweep, and each runs once.

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = uniqueQueuePrefix();
let ctx: TestContext;
let user: TestUser;
let dataDirectory: string;

beforeAll(async () => {
  dataDirectory = await mkdtemp(join(tmpdir(), 'rr-lost-jobs-'));
  ctx = await createTestContext({
    ...SITE_ENV,
    JOBS_QUEUE_PREFIX: prefix,
    JOBS_RECOVERY_INTERVAL_MS: '200',
    STORAGE_LOCAL_DIRECTORY: join(dataDirectory, 'storage'),
    EMAIL_OUTBOX_DIRECTORY: join(dataDirectory, 'outbox'),
  });
  user = await ctx.createUser();
});

afterAll(async () => {
  await ctx.close();
  await deleteQueueKeys(REDIS_URL, prefix);
  await rm(dataDirectory, { recursive: true, force: true });
});

/** Moves every outbox row to Redis once, as a relay would, then loses them all there. */
async function relayThenLoseRedis(): Promise<void> {
  await relayOutboxOnce(ctx.deps.database.db, REDIS_URL, prefix);
  await deleteQueueKeys(REDIS_URL, prefix);
}

describe('the lost-job sweep', () => {
  it('runs a deployment and an export whose jobs Redis lost, each once', async () => {
    const templateId = await seededTemplateId(ctx, user);
    const portfolio = await createPortfolio(ctx, user, templateId);
    const deployment = await requestDeployment(ctx, user, portfolio.id);
    const exported = await ctx.request<{ id: string }>(
      'POST',
      `/api/portfolios/${portfolio.id}/exports`,
      { token: user.token },
    );
    await relayThenLoseRedis();
    const deployments = openQueue(prefix, 'deployments');
    expect(await deployments.getJobState(deployment.body.id)).toBe('unknown');
    await deployments.close();

    startJobProcessing(ctx.deps);
    const finished = (status: string) => ['DEPLOYED', 'READY', 'FAILED'].includes(status);
    const deployed = await waitFor(
      async () => {
        const { body } = await ctx.request<DeploymentBody>(
          'GET',
          `/api/deployments/${deployment.body.id}`,
          { token: user.token },
        );
        return finished(body.status) ? body : undefined;
      },
      20_000,
      'the deployment to finish',
    );
    const ready = await waitFor(
      async () => {
        const { body } = await ctx.request<{ status: string }>(
          'GET',
          `/api/exports/${exported.body.id}`,
          { token: user.token },
        );
        return finished(body.status) ? body : undefined;
      },
      20_000,
      'the export to finish',
    );

    expect(deployed.status).toBe('DEPLOYED');
    expect(ready.status).toBe('READY');
    const starts = await ctx.deps.database.db
      .selectFrom('deployment_logs')
      .select('message')
      .where('deployment_id', '=', deployment.body.id)
      .where('message', 'like', 'Attempt % started%')
      .execute();
    expect(starts).toHaveLength(1);
  });
});
