import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ProblemBody } from '../../support/api-bodies.ts';
import { seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import {
  countPdfPages,
  createExportDirectories,
  createPortfolio,
  expectCompletePdf,
  type ExportBody,
  fetchBytes,
  largeContent,
} from './export-test-support.ts';

let ctx: TestContext;
let owner: TestUser;
let stranger: TestUser;
let templateId: string;
let root: string;

beforeAll(async () => {
  const directories = await createExportDirectories();
  root = directories.root;
  ctx = await createTestContext(directories.overrides);
  owner = await ctx.createUser();
  stranger = await ctx.createUser();
  templateId = await seededTemplateId(ctx, owner);
  await seededTemplateId(ctx, stranger);
});

afterAll(async () => {
  await ctx.close();
  await rm(root, { recursive: true, force: true });
});

async function countExports(portfolioId: string): Promise<number> {
  const row = await ctx.deps.database.db
    .selectFrom('exports')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('portfolio_id', '=', portfolioId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

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
    expect(await countExports(portfolio.id)).toBe(0);
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
    expect(await countExports(portfolio.id)).toBe(2);
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
    expect(await countExports(portfolio.id)).toBe(0);
  });
});

describe('GET /api/exports/{id} (R-JOB-7)', () => {
  async function queueExport(): Promise<ExportBody> {
    const portfolio = await createPortfolio(ctx, owner, templateId);
    const response = await ctx.request<ExportBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/exports`,
      {
        token: owner.token,
      },
    );
    return response.body;
  }

  /** What the job leaves behind, written directly: a stored PDF and a READY row. */
  async function finishExport(exportId: string, expiresAt: Date): Promise<Buffer> {
    const pdf = Buffer.from(`%PDF-1.3\n% stand-in for ${exportId}\n%%EOF\n`, 'latin1');
    const key = `${randomUUID()}/${exportId}/portfolio.pdf`;
    await ctx.deps.adapters.storage.putObject({
      bucket: 'exports',
      key,
      body: pdf,
      contentType: 'application/pdf',
    });
    await ctx.deps.database.db
      .updateTable('exports')
      .set({
        status: 'READY',
        progress: 100,
        storage_key: key,
        page_count: 1,
        byte_size: pdf.byteLength,
        expires_at: expiresAt,
        finished_at: new Date(),
      })
      .where('id', '=', exportId)
      .execute();
    return pdf;
  }

  it('shows a queued export with its progress and no link', async () => {
    const queued = await queueExport();

    const response = await ctx.request<ExportBody>('GET', `/api/exports/${queued.id}`, {
      token: owner.token,
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.body).toMatchObject({
      id: queued.id,
      status: 'QUEUED',
      progress: 0,
      pageCount: null,
      expiresAt: null,
      expired: false,
      downloadUrl: null,
      error: null,
    });
  });

  it('signs a fresh link that ends when the export expires, not a week after the request', async () => {
    const queued = await queueExport();
    const expiresAt = new Date((Math.floor(Date.now() / 1000) + 3_600) * 1000);
    const stored = await finishExport(queued.id, expiresAt);

    const response = await ctx.request<ExportBody>('GET', `/api/exports/${queued.id}`, {
      token: owner.token,
    });

    expect(response.body).toMatchObject({ status: 'READY', expired: false, pageCount: 1 });
    expect(response.body.expiresAt).toBe(expiresAt.toISOString());
    const link = new URL(response.body.downloadUrl ?? '');
    expect(Number(link.searchParams.get('expires'))).toBeGreaterThanOrEqual(
      expiresAt.getTime() / 1000,
    );
    expect(Number(link.searchParams.get('expires'))).toBeLessThanOrEqual(
      expiresAt.getTime() / 1000 + 1,
    );
    const download = await fetchBytes(ctx, link.href);
    expect(download.status).toBe(200);
    expect(download.bytes.equals(stored)).toBe(true);
  });

  it('stays READY but gives no link once the export has expired', async () => {
    const queued = await queueExport();
    await finishExport(queued.id, new Date(Date.now() - 1_000));

    const response = await ctx.request<ExportBody>('GET', `/api/exports/${queued.id}`, {
      token: owner.token,
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'READY', expired: true, downloadUrl: null });
  });

  it("answers 404 for another user's export, as for a missing one", async () => {
    const queued = await queueExport();

    const foreign = await ctx.request<ProblemBody>('GET', `/api/exports/${queued.id}`, {
      token: stranger.token,
    });
    const missing = await ctx.request<ProblemBody>('GET', `/api/exports/${randomUUID()}`, {
      token: owner.token,
    });

    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('export.not_found');
    expect(missing.status).toBe(404);
    expect(foreign.body.detail).toBe(missing.body.detail);
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const response = await ctx.request<ProblemBody>('GET', '/api/exports/not-a-uuid', {
      token: owner.token,
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.map((issue) => issue.path)).toContain('param.id');
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
