import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ProblemBody } from '../../support/api-bodies.ts';
import type { TestContext, TestUser } from '../../support/test-context.ts';
import {
  createExportApiWorld,
  createPortfolio,
  type ExportApiWorld,
  type ExportBody,
  fetchBytes,
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
