import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EXPORT_STALE_AFTER_SECONDS } from '../../../src/features/exports/export.types.ts';
import { raiseProgress } from '../../../src/features/exports/export-status.repository.ts';
import type { ProblemBody } from '../../support/api-bodies.ts';
import type { TestContext, TestUser } from '../../support/test-context.ts';
import {
  countExports,
  createExportApiWorld,
  createPortfolio,
  type ExportApiWorld,
  type ExportBody,
} from './export-test-support.ts';

let world: ExportApiWorld;
let ctx: TestContext;
let owner: TestUser;
let stranger: TestUser;
let templateId: string;

beforeAll(async () => {
  world = await createExportApiWorld();
  ({ ctx, owner, stranger, templateId } = world);
});

afterAll(async () => {
  await world.close();
});

describe('POST /api/portfolios/{id}/exports (R-JOB-6)', () => {
  it('queues an export and its outbox job in one go, without a body', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);

    const response = await ctx.request<ExportBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/exports`,
      {
        token: owner.token,
      },
    );

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/api/exports/${response.body.id}`);
    expect(response.body).toMatchObject({ status: 'QUEUED', pageSize: 'A4', format: 'pdf' });
    const jobs = await ctx.deps.database.db
      .selectFrom('job_outbox')
      .select('job_name')
      .where('job_id', '=', response.body.id)
      .execute();
    expect(jobs).toEqual([{ job_name: 'export.render' }]);
  });

  it('returns the unfinished export of the same version and page size instead of a second', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);
    const path = `/api/portfolios/${portfolio.id}/exports`;

    const [first, second] = await Promise.all([
      ctx.request<ExportBody>('POST', path, { token: owner.token, body: { pageSize: 'A4' } }),
      ctx.request<ExportBody>('POST', path, { token: owner.token, body: {} }),
    ]);
    const letter = await ctx.request<ExportBody>('POST', path, {
      token: owner.token,
      body: { pageSize: 'Letter' },
    });

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(letter.body.id).not.toBe(first.body.id);
    expect(letter.body.pageSize).toBe('Letter');
    expect(await countExports(ctx, portfolio.id)).toBe(2);
  });

  it("answers 404 for another user's portfolio and 400 for unknown fields", async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);
    const path = `/api/portfolios/${portfolio.id}/exports`;

    const foreign = await ctx.request<ProblemBody>('POST', path, { token: stranger.token });
    const invalid = await ctx.request<ProblemBody>('POST', path, {
      token: owner.token,
      body: { pageSize: 'A4', colour: 'red' },
    });

    expect(foreign.status).toBe(404);
    expect(invalid.status).toBe(400);
    expect(await countExports(ctx, portfolio.id)).toBe(0);
  });
});

describe('POST /api/portfolios/{id}/exports when an unfinished export is stuck (R-JOB-6)', () => {
  /** Makes the export look like it stopped `ageSeconds` ago, mid-render. */
  async function stopMoving(exportId: string, ageSeconds: number): Promise<void> {
    await ctx.deps.database.db
      .updateTable('exports')
      .set({
        status: 'RENDERING',
        progress: 40,
        updated_at: sql<Date>`now() - ${ageSeconds}::integer * interval '1 second'`,
      })
      .where('id', '=', exportId)
      .execute();
  }

  async function requestExport(portfolioId: string) {
    const response = await ctx.request<ExportBody>(
      'POST',
      `/api/portfolios/${portfolioId}/exports`,
      {
        token: owner.token,
      },
    );
    expect(response.status).toBe(202);
    return response.body;
  }

  it('gives up one untouched past the staleness limit as FAILED and queues a new one', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);
    const stuck = await requestExport(portfolio.id);
    await stopMoving(stuck.id, EXPORT_STALE_AFTER_SECONDS + 60);

    const fresh = await requestExport(portfolio.id);

    expect(fresh.id).not.toBe(stuck.id);
    expect(fresh).toMatchObject({ status: 'QUEUED', progress: 0 });
    const abandoned = await ctx.request<ExportBody>('GET', `/api/exports/${stuck.id}`, {
      token: owner.token,
    });
    expect(abandoned.body).toMatchObject({
      status: 'FAILED',
      error: { code: 'export.abandoned' },
      downloadUrl: null,
    });
    expect(abandoned.body.finishedAt).not.toBeNull();
    const jobs = await ctx.deps.database.db
      .selectFrom('job_outbox')
      .select('job_id')
      .where('job_name', '=', 'export.render')
      .where('job_id', 'in', [stuck.id, fresh.id])
      .execute();
    expect(jobs.map((job) => job.job_id).sort()).toEqual([stuck.id, fresh.id].sort());
    expect(await requestExport(portfolio.id)).toMatchObject({ id: fresh.id });
  });

  it('still joins one that last moved within the limit', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);
    const slow = await requestExport(portfolio.id);
    await stopMoving(slow.id, EXPORT_STALE_AFTER_SECONDS - 60);

    const again = await requestExport(portfolio.id);

    expect(again).toMatchObject({ id: slow.id, status: 'RENDERING' });
    expect(await countExports(ctx, portfolio.id)).toBe(1);
  });

  it('never takes a render that keeps storing progress for stuck', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);
    const live = await requestExport(portfolio.id);
    await stopMoving(live.id, EXPORT_STALE_AFTER_SECONDS + 60);

    await raiseProgress(ctx.deps.database.db, live.id, 41);
    const again = await requestExport(portfolio.id);

    expect(again).toMatchObject({ id: live.id, status: 'RENDERING', progress: 41 });
  });
});
