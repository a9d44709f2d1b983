import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PageBody, ProblemBody } from '../../support/api-bodies.ts';
import {
  countRows,
  createPortfolio,
  type DeploymentBody,
  insertFinished,
  requestDeployment,
  SITE_ENV,
} from '../../support/deployment-api.ts';
import { seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

// Reading deployments and rolling back; requesting them is in deployments-requests.test.ts.

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

describe('GET /api/deployments/{id} (R-JOB-3)', () => {
  it('shows the stored state and the log oldest first, to the owner only', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);
    const queued = await requestDeployment(ctx, alice, portfolio.id);
    const { db } = ctx.deps.database;
    await db
      .updateTable('deployments')
      .set({ status: 'UPLOADING', current_step: 'UPLOADING', progress: 60, attempt: 2 })
      .where('id', '=', queued.body.id)
      .execute();
    await db
      .insertInto('deployment_logs')
      .values([
        { deployment_id: queued.body.id, step: 'BUILDING', level: 'info', message: 'built' },
        { deployment_id: queued.body.id, step: 'UPLOADING', level: 'warn', message: 'retrying' },
      ])
      .execute();

    const own = await ctx.request<DeploymentBody>('GET', `/api/deployments/${queued.body.id}`, {
      token: alice.token,
    });
    const foreign = await ctx.request<ProblemBody>('GET', `/api/deployments/${queued.body.id}`, {
      token: bob.token,
    });
    const missing = await ctx.request<ProblemBody>('GET', `/api/deployments/${randomUUID()}`, {
      token: alice.token,
    });

    expect(own.status).toBe(200);
    expect(own.headers.get('cache-control')).toBe('no-store');
    expect(own.body).toMatchObject({
      status: 'UPLOADING',
      currentStep: 'UPLOADING',
      progress: 60,
      attempt: 2,
    });
    expect(own.body.logs?.map((log) => [log.step, log.level, log.message])).toEqual([
      ['QUEUED', 'info', 'queued portfolio version 1'],
      ['BUILDING', 'info', 'built'],
      ['UPLOADING', 'warn', 'retrying'],
    ]);
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect(foreign.body.code).toBe('deployment.not_found');
    expect(foreign.body.detail).toBe(missing.body.detail);
  });
});

describe('GET /api/portfolios/{id}/deployments (R-PERF-5)', () => {
  it('pages newest first by page and by cursor, without logs, and hides it from others', async () => {
    const portfolio = await createPortfolio(ctx, alice, templateId);
    const sub = String(portfolio.subdomain);
    const ids: string[] = [];
    for (let day = 1; day <= 5; day += 1) {
      ids.push(
        await insertFinished(ctx, {
          portfolioId: portfolio.id,
          requestedBy: alice.id,
          status: 'DEPLOYED',
          queuedAt: `2024-01-0${String(day)}T00:00:00Z`,
          subdomain: sub,
        }),
      );
    }
    const base = `/api/portfolios/${portfolio.id}/deployments`;

    const first = await ctx.request<PageBody<DeploymentBody>>('GET', `${base}?limit=2`, {
      token: alice.token,
    });
    const second = await ctx.request<PageBody<DeploymentBody>>(
      'GET',
      `${base}?limit=2&cursor=${String(first.body.pagination.nextCursor)}`,
      { token: alice.token },
    );
    const last = await ctx.request<PageBody<DeploymentBody>>('GET', `${base}?page=3&limit=2`, {
      token: alice.token,
    });
    const foreign = await ctx.request<ProblemBody>('GET', base, { token: bob.token });

    expect(first.body.data.map((d) => d.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.pagination).toMatchObject({
      page: 1,
      total: 5,
      totalPages: 3,
      hasNext: true,
    });
    expect(first.body.data[0]).not.toHaveProperty('logs');
    expect(second.body.data.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    expect(last.body.data.map((d) => d.id)).toEqual([ids[0]]);
    expect(last.body.pagination.hasNext).toBe(false);
    expect(foreign.status).toBe(404);
  });
});

describe('POST /api/portfolios/{id}/deployments/{deploymentId}/rollback', () => {
  async function setUpTwoDeployments() {
    const portfolio = await createPortfolio(ctx, alice, templateId);
    const sub = String(portfolio.subdomain);
    const older = await insertFinished(ctx, {
      portfolioId: portfolio.id,
      requestedBy: alice.id,
      status: 'DEPLOYED',
      queuedAt: '2024-02-01T00:00:00Z',
      subdomain: sub,
    });
    const newer = await insertFinished(ctx, {
      portfolioId: portfolio.id,
      requestedBy: alice.id,
      status: 'DEPLOYED',
      queuedAt: '2024-02-02T00:00:00Z',
      subdomain: sub,
    });
    await ctx.deps.database.db
      .updateTable('portfolios')
      .set({ live_deployment_id: newer })
      .where('id', '=', portfolio.id)
      .execute();
    return { portfolio, sub, older, newer };
  }

  const livePointer = async (portfolioId: string) =>
    (
      await ctx.deps.database.db
        .selectFrom('portfolios')
        .select('live_deployment_id')
        .where('id', '=', portfolioId)
        .executeTakeFirstOrThrow()
    ).live_deployment_id;

  it('switches the live pointer to an earlier deployment, logs it, and purges the cached hosts', async () => {
    const { portfolio, sub, older, newer } = await setUpTwoDeployments();
    const host = `${sub}.localhost`;
    const site = { portfolioId: portfolio.id, deploymentId: newer, manifest: { files: {} } };
    await ctx.deps.liveSites.write(host, site);
    expect(await ctx.deps.liveSites.read(host)).toEqual(site);

    const response = await ctx.request<DeploymentBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/deployments/${older}/rollback`,
      { token: alice.token },
    );

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: older, isLive: true });
    expect(response.body.logs?.at(-1)).toMatchObject({ step: 'ROLLBACK', level: 'info' });
    expect(await livePointer(portfolio.id)).toBe(older);
    expect(await ctx.deps.liveSites.read(host)).toBeUndefined();
    expect((await countRows(ctx, portfolio.id)).deployments).toHaveLength(2);
  });

  it('answers 200 without a second log line when the deployment is already live', async () => {
    const { portfolio, newer } = await setUpTwoDeployments();
    const path = `/api/portfolios/${portfolio.id}/deployments/${newer}/rollback`;

    const first = await ctx.request<DeploymentBody>('POST', path, { token: alice.token });
    const again = await ctx.request<DeploymentBody>('POST', path, { token: alice.token });

    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.isLive).toBe(true);
    expect(again.body.logs).toEqual([]);
  });

  it('refuses a FAILED deployment with 409 deployment.not_deployed and keeps the pointer', async () => {
    const { portfolio, sub, newer } = await setUpTwoDeployments();
    const failed = await insertFinished(ctx, {
      portfolioId: portfolio.id,
      requestedBy: alice.id,
      status: 'FAILED',
      queuedAt: '2024-02-03T00:00:00Z',
      subdomain: sub,
    });

    const response = await ctx.request<ProblemBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/deployments/${failed}/rollback`,
      { token: alice.token },
    );

    expect(response.status).toBe(409);
    expect(response.body.code).toBe('deployment.not_deployed');
    expect(await livePointer(portfolio.id)).toBe(newer);
  });

  it("answers 404 for another portfolio's deployment and for another user", async () => {
    const { portfolio, older, newer } = await setUpTwoDeployments();
    const other = await createPortfolio(ctx, alice, templateId);

    const crossed = await ctx.request<ProblemBody>(
      'POST',
      `/api/portfolios/${other.id}/deployments/${older}/rollback`,
      { token: alice.token },
    );
    const foreign = await ctx.request<ProblemBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/deployments/${older}/rollback`,
      { token: bob.token },
    );

    expect([crossed.status, foreign.status]).toEqual([404, 404]);
    expect(crossed.body.code).toBe('deployment.not_found');
    expect(await livePointer(portfolio.id)).toBe(newer);
  });
});

describe('rollback with Redis unreachable (R-JOB-1)', () => {
  let withoutRedis: TestContext;
  let carol: TestUser;

  beforeAll(async () => {
    withoutRedis = await createTestContext({ ...SITE_ENV, REDIS_URL: 'redis://127.0.0.1:1' });
    carol = await withoutRedis.createUser();
  });

  afterAll(async () => {
    await withoutRedis.close();
  });

  it('keeps a rollback but answers 503 when the site cache cannot be cleared', async () => {
    const portfolio = await createPortfolio(withoutRedis, carol, templateId);
    const queued = await requestDeployment(withoutRedis, carol, portfolio.id);
    const { db } = withoutRedis.deps.database;
    await db
      .updateTable('deployments')
      .set({ status: 'DEPLOYED', progress: 100, finished_at: new Date() })
      .where('id', '=', queued.body.id)
      .execute();

    const response = await withoutRedis.request<ProblemBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/deployments/${queued.body.id}/rollback`,
      { token: carol.token },
    );

    expect(response.status).toBe(503);
    expect(response.body.code).toBe('dependency.unavailable');
    const stored = await db
      .selectFrom('portfolios')
      .select('live_deployment_id')
      .where('id', '=', portfolio.id)
      .executeTakeFirstOrThrow();
    expect(stored.live_deployment_id).toBe(queued.body.id);
  });
});
