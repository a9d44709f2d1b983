import { randomBytes, randomUUID } from 'node:crypto';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PageBody, PortfolioBody, ProblemBody } from '../../support/api-bodies.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

interface DeploymentBody {
  readonly id: string;
  readonly portfolioId: string;
  readonly portfolioVersion: number;
  readonly status: string;
  readonly currentStep: string | null;
  readonly progress: number;
  readonly attempt: number;
  readonly subdomain: string | null;
  readonly domain: string | null;
  readonly siteUrl: string | null;
  readonly contentHash: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly isLive: boolean;
  readonly logs?: readonly {
    readonly step: string | null;
    readonly level: string;
    readonly message: string;
    readonly time: string;
  }[];
}

// Explicit, so the expected site URLs below do not depend on the machine's environment.
const SITE_ENV = { APP_URL: 'http://localhost:3000', BASE_DOMAIN: 'localhost' };

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

const uniqueSubdomain = () => `dep-${randomBytes(4).toString('hex')}`;

async function createPortfolio(
  target: TestContext,
  user: TestUser,
  subdomain: string | null = uniqueSubdomain(),
): Promise<PortfolioBody> {
  const response = await target.request<PortfolioBody>('POST', '/api/portfolios', {
    token: user.token,
    body: portfolioInput(templateId, subdomain === null ? {} : { subdomain }),
  });
  expect(response.status).toBe(201);
  return response.body;
}

function requestDeployment(target: TestContext, user: TestUser, portfolioId: string) {
  return target.request<DeploymentBody>('POST', `/api/portfolios/${portfolioId}/deployments`, {
    token: user.token,
  });
}

async function countRows(target: TestContext, portfolioId: string) {
  const { db } = target.deps.database;
  const deployments = await db
    .selectFrom('deployments')
    .select('id')
    .where('portfolio_id', '=', portfolioId)
    .execute();
  const outbox =
    deployments.length === 0
      ? []
      : await db
          .selectFrom('job_outbox')
          .select(['job_name', 'job_id', 'payload'])
          .where(
            'job_id',
            'in',
            deployments.map((row) => row.id),
          )
          .execute();
  return { deployments, outbox };
}

/** A finished deployment written directly, as a worker would leave it. */
async function insertFinished(
  portfolioId: string,
  status: 'DEPLOYED' | 'FAILED',
  queuedAt: string,
  subdomain: string,
): Promise<string> {
  const row = await ctx.deps.database.db
    .insertInto('deployments')
    .values({
      portfolio_id: portfolioId,
      requested_by: alice.id,
      portfolio_version: 1,
      status,
      progress: 100,
      attempt: 1,
      subdomain,
      site_url: `http://${subdomain}.localhost:3000/`,
      site_manifest: status === 'DEPLOYED' ? JSON.stringify({ files: {} }) : sql<string>`NULL`,
      error_code: status === 'FAILED' ? 'storage.unavailable' : null,
      error_message: status === 'FAILED' ? 'storage kept failing' : null,
      queued_at: queuedAt,
      finished_at: queuedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('POST /api/portfolios/{id}/deployments (R-JOB-2, R-JOB-3)', () => {
  it('answers 202 with a QUEUED deployment, a Location, a log line and an outbox job keyed by its id', async () => {
    const portfolio = await createPortfolio(ctx, alice);

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
    const portfolio = await createPortfolio(ctx, alice);
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
    const portfolio = await createPortfolio(ctx, alice);

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
    const portfolio = await createPortfolio(ctx, alice);
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
    const portfolio = await createPortfolio(ctx, alice);
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
    const portfolio = await createPortfolio(ctx, alice, null);

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
    const portfolio = await createPortfolio(ctx, alice);
    const deleted = await createPortfolio(ctx, alice);
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

describe('GET /api/deployments/{id} (R-JOB-3)', () => {
  it('shows the stored state and the log oldest first, to the owner only', async () => {
    const portfolio = await createPortfolio(ctx, alice);
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
    const portfolio = await createPortfolio(ctx, alice);
    const sub = String(portfolio.subdomain);
    const ids: string[] = [];
    for (let day = 1; day <= 5; day += 1) {
      ids.push(
        await insertFinished(portfolio.id, 'DEPLOYED', `2024-01-0${String(day)}T00:00:00Z`, sub),
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
    const portfolio = await createPortfolio(ctx, alice);
    const sub = String(portfolio.subdomain);
    const older = await insertFinished(portfolio.id, 'DEPLOYED', '2024-02-01T00:00:00Z', sub);
    const newer = await insertFinished(portfolio.id, 'DEPLOYED', '2024-02-02T00:00:00Z', sub);
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
    const failed = await insertFinished(portfolio.id, 'FAILED', '2024-02-03T00:00:00Z', sub);

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
    const other = await createPortfolio(ctx, alice);

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
    const portfolio = await createPortfolio(withoutRedis, carol);

    const response = await requestDeployment(withoutRedis, carol, portfolio.id);

    expect(response.status).toBe(202);
    const { outbox } = await countRows(withoutRedis, portfolio.id);
    expect(outbox.map((row) => row.job_id)).toEqual([response.body.id]);
  });

  it('keeps a rollback but answers 503 when the site cache cannot be cleared', async () => {
    const portfolio = await createPortfolio(withoutRedis, carol);
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
