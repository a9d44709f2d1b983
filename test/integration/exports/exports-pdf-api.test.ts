import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ProblemBody } from '../../support/api-bodies.ts';
import type { TestContext, TestUser } from '../../support/test-context.ts';
import {
  countExports,
  countPdfPages,
  createExportApiWorld,
  createPortfolio,
  expectCompletePdf,
  type ExportApiWorld,
  type ExportBody,
  fetchBytes,
  largeContent,
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

describe('GET /api/portfolios/{id}/export.pdf (R-JOB-6)', () => {
  it('answers a small portfolio with the PDF itself, as an attachment named after the slug', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId, { title: 'Small Résumé' });

    const response = await fetchBytes(
      ctx,
      `/api/portfolios/${portfolio.id}/export.pdf`,
      owner.token,
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="small-resume.pdf"',
    );
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expectCompletePdf(response.bytes);
    expect(countPdfPages(response.bytes)).toBeGreaterThanOrEqual(1);
    expect(await countExports(ctx, portfolio.id)).toBe(0);
  });

  it('renders Letter pages when asked', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);

    const response = await fetchBytes(
      ctx,
      `/api/portfolios/${portfolio.id}/export.pdf?pageSize=Letter`,
      owner.token,
    );

    expect(response.status).toBe(200);
    expect(response.bytes.toString('latin1')).toContain('/MediaBox [0 0 612 792]');
  });

  it('answers a large portfolio with 202, a queued export and its Location', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId, { content: largeContent() });

    const response = await ctx.request<ExportBody>(
      'GET',
      `/api/portfolios/${portfolio.id}/export.pdf`,
      { token: owner.token },
    );

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/api/exports/${response.body.id}`);
    expect(response.body).toMatchObject({
      portfolioId: portfolio.id,
      portfolioVersion: 1,
      status: 'QUEUED',
      progress: 0,
      pageSize: 'A4',
      downloadUrl: null,
    });
    const outbox = await ctx.deps.database.db
      .selectFrom('job_outbox')
      .select(['job_name', 'payload'])
      .where('job_id', '=', response.body.id)
      .execute();
    expect(outbox).toEqual([
      { job_name: 'export.render', payload: { exportId: response.body.id } },
    ]);
  });

  it("answers 404 for another user's portfolio and for an unknown one alike", async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);

    const foreign = await ctx.request<ProblemBody>(
      'GET',
      `/api/portfolios/${portfolio.id}/export.pdf`,
      { token: stranger.token },
    );
    const missing = await ctx.request<ProblemBody>(
      'GET',
      `/api/portfolios/${randomUUID()}/export.pdf`,
      { token: owner.token },
    );

    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.body.code).toBe('portfolio.not_found');
    expect(foreign.body.detail).toBe(missing.body.detail);
  });

  it('refuses an unknown page size with 400', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);

    const response = await ctx.request<ProblemBody>(
      'GET',
      `/api/portfolios/${portfolio.id}/export.pdf?pageSize=A3`,
      { token: owner.token },
    );

    expect(response.status).toBe(400);
    expect(response.body.errors?.map((issue) => issue.path)).toContain('query.pageSize');
  });
});

describe('the exports API contract', () => {
  it('documents the three export routes in /openapi.json', async () => {
    const response = await ctx.request<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
    );

    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths['/api/portfolios/{id}/export.pdf'] ?? {})).toEqual([
      'get',
    ]);
    expect(Object.keys(response.body.paths['/api/portfolios/{id}/exports'] ?? {})).toEqual([
      'post',
    ]);
    expect(Object.keys(response.body.paths['/api/exports/{id}'] ?? {})).toEqual(['get']);
  });
});
