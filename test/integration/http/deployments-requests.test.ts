import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { STALE_DEPLOYMENT_AFTER_MS } from '../../../src/features/deployments/deployments.service.ts';
import type { ProblemBody } from '../../support/api-bodies.ts';
import {
  countRows,
  createPortfolio,
  type DeploymentBody,
  requestDeployment,
  SITE_ENV,
  uniqueSubdomain,
} from '../../support/deployment-api.ts';
import { seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

// Requesting deployments; reading them and rolling back are in deployments-reads.test.ts.

let ctx: TestContext;
let alice: TestUser;
let bob: TestUser;
let templateId: string;

beforeAll(async () => {
  ctx = await createTestContext(SITE_ENV);
  alice = await ctx.createUser();
  bob = await ctx.createUser();
  templateId = await seededTemplateId(ctx, alice);
});

afterAll(async () => {
  await ctx.close();
});

describe('POST /api/portfolios/{id}/deployments (R-JOB-2, R-JOB-3)', () => {
  it('answers 202 with a QUEUED deployment, a Location, a log line and an outbox job keyed by its id', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);

    const response = await requestDeployment(ctx, alice, portfolio.id);

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/api/deployments/${response.body.id}`);
    expect(response.body).toMatchObject({
      portfolioId: portfolio.id,
      portfolioVersion: 1,
      status: 'QUEUED',
      currentStep: null,
      progress: 0,
      attempt: 0,
      subdomain: portfolio.subdomain,
      domain: null,
      siteUrl: `http://${String(portfolio.subdomain)}.localhost:3000/`,
      error: null,
      isLive: false,
    });
    expect(response.body.logs?.map((log) => [log.step, log.message])).toEqual([
      ['QUEUED', 'queued portfolio version 1'],
    ]);
    const { outbox } = await countRows(ctx, portfolio.id);
    expect(outbox).toEqual([
      {
        job_name: 'deployment.run',
        job_id: response.body.id,
        payload: { deploymentId: response.body.id },
      },
    ]);
  });

  it('returns the unfinished deployment to a second request instead of queuing another', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);
    const first = await requestDeployment(ctx, alice, portfolio.id);

    const second = await requestDeployment(ctx, alice, portfolio.id);

    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('location')).toBe(`/api/deployments/${first.body.id}`);
    const rows = await countRows(ctx, portfolio.id);
    expect(rows.deployments).toHaveLength(1);
    expect(rows.outbox).toHaveLength(1);
  });

  it('yields one deployment and one job for 5 parallel requests', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => requestDeployment(ctx, alice, portfolio.id)),
    );

    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    const rows = await countRows(ctx, portfolio.id);
    expect(rows.deployments).toHaveLength(1);
    expect(rows.outbox).toHaveLength(1);
  });

  it('queues a new deployment of the current version once the previous one has finished', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);
    const first = await requestDeployment(ctx, alice, portfolio.id);
    await ctx.deps.database.db
      .updateTable('deployments')
      .set({ status: 'DEPLOYED', progress: 100, finished_at: new Date() })
      .where('id', '=', first.body.id)
      .execute();
    await ctx.request('PATCH', `/api/portfolios/${portfolio.id}`, {
      token: alice.token,
      body: { title: 'Second edition' },
    });

    const second = await requestDeployment(ctx, alice, portfolio.id);

    expect(second.status).toBe(202);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.portfolioVersion).toBe(2);
  });

  it('serves a verified custom domain: the deployment records it and its URL', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);
    const domain = `${uniqueSubdomain()}.example.com`;
    await ctx.deps.database.db
      .insertInto('custom_domains')
      .values({
        portfolio_id: portfolio.id,
        owner_id: alice.id,
        domain,
        verification_token: randomBytes(24).toString('hex'),
        verified_at: new Date(),
      })
      .execute();

    const response = await requestDeployment(ctx, alice, portfolio.id);

    expect(response.body).toMatchObject({ domain, siteUrl: `http://${domain}:3000/` });
  });

  it('refuses a portfolio without a subdomain with 400 deployment.subdomain_missing', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId, null);

    const response = await ctx.request<ProblemBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/deployments`,
      { token: alice.token },
    );

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('deployment.subdomain_missing');
    expect((await countRows(ctx, portfolio.id)).deployments).toHaveLength(0);
  });

  it("answers 404 for another user's portfolio and for a deleted one, creating nothing", async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);
    const deleted = await createPortfolio(ctx, alice, templateId);
    await ctx.request('DELETE', `/api/portfolios/${deleted.id}`, { token: alice.token });

    const foreign = await ctx.request<ProblemBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/deployments`,
      { token: bob.token },
    );
    const gone = await ctx.request<ProblemBody>(
      'POST',
      `/api/portfolios/${deleted.id}/deployments`,
      {
        token: alice.token,
      },
    );

    expect([foreign.status, gone.status]).toEqual([404, 404]);
    expect(foreign.body.code).toBe('portfolio.not_found');
    expect((await countRows(ctx, portfolio.id)).deployments).toHaveLength(0);
  });
});

describe('a stale unfinished deployment (R-JOB-2, R-JOB-5)', () => {
  const backdate = (deploymentId: string, ms: number) =>
    ctx.deps.database.db
      .updateTable('deployments')
      .set({ status: 'UPLOADING', updated_at: new Date(Date.now() - ms) })
      .where('id', '=', deploymentId)
      .execute();

  it('is failed as deployment.abandoned once idle past the limit, and a new deployment is queued', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);
    const stuck = await requestDeployment(ctx, alice, portfolio.id);
    await backdate(stuck.body.id, STALE_DEPLOYMENT_AFTER_MS + 60_000);

    const next = await requestDeployment(ctx, alice, portfolio.id);
    const abandoned = await ctx.request<DeploymentBody>(
      'GET',
      `/api/deployments/${stuck.body.id}`,
      {
        token: alice.token,
      },
    );

    expect(next.status).toBe(202);
    expect(next.body.id).not.toBe(stuck.body.id);
    expect(next.body.status).toBe('QUEUED');
    expect(abandoned.body).toMatchObject({
      status: 'FAILED',
      error: { code: 'deployment.abandoned' },
      finishedAt: expect.any(String) as unknown,
    });
    expect(abandoned.body.logs?.at(-1)).toMatchObject({ level: 'error', step: 'QUEUED' });
    expect(abandoned.body.logs?.at(-1)?.message).toContain('deployment.abandoned');
    const rows = await countRows(ctx, portfolio.id);
    expect(rows.deployments).toHaveLength(2);
    expect(rows.outbox.map((row) => row.job_id).sort()).toEqual(
      [stuck.body.id, next.body.id].sort(),
    );
  });

  it('is still returned while a run touched it within the limit', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);
    const running = await requestDeployment(ctx, alice, portfolio.id);
    await backdate(running.body.id, STALE_DEPLOYMENT_AFTER_MS - 60_000);

    const again = await requestDeployment(ctx, alice, portfolio.id);

    expect(again.body).toMatchObject({ id: running.body.id, status: 'UPLOADING', error: null });
  });
});

describe('deployments with Redis unreachable (R-JOB-1)', () => {
  let withoutRedis: TestContext;
  let carol: TestUser;

  beforeAll(async () => {
    withoutRedis = await createTestContext({ ...SITE_ENV, REDIS_URL: 'redis://127.0.0.1:1' });
    carol = await withoutRedis.createUser();
  });

  afterAll(async () => {
    await withoutRedis.close();
  });

  it('still answers 202 and leaves the job in the outbox', async () => {
    const portfolio = await createPortfolio(withoutRedis, carol, templateId);

    const response = await requestDeployment(withoutRedis, carol, portfolio.id);

    expect(response.status).toBe(202);
    const { outbox } = await countRows(withoutRedis, portfolio.id);
    expect(outbox.map((row) => row.job_id)).toEqual([response.body.id]);
  });
});

describe('deployments OpenAPI (R-PLAT-1)', () => {
  it('documents every deployment route', async () => {
    const response = await ctx.request<{ paths: Record<string, unknown> }>('GET', '/openapi.json');

    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/portfolios/{id}/deployments',
        '/api/deployments/{id}',
        '/api/portfolios/{id}/deployments/{deploymentId}/rollback',
      ]),
    );
  });
});
