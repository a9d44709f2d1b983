import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';

import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EXPORT_LINK_LIFETIME_SECONDS } from '../../../src/features/exports/export.types.ts';
import { readyMailJobId } from '../../../src/features/exports/export-notifications.ts';
import { seededTemplateId } from '../../support/factories.ts';
import { type JobPipeline, startJobPipeline } from '../../support/job-pipeline.ts';
import { uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import { waitFor } from '../jobs/job-test-support.ts';
import {
  countPdfPages,
  createExportDirectories,
  createPortfolio,
  expectCompletePdf,
  EXPORT_TEST_CATALOG,
  type ExportBody,
  type ExportTestCatalog,
  type ExportWiring,
  fetchBytes,
  largeContent,
  wireExports,
} from './export-test-support.ts';

const prefix = uniqueQueuePrefix();
let directories: Awaited<ReturnType<typeof createExportDirectories>>;
let ctx: TestContext;
let owner: TestUser;
let wiring: ExportWiring;
let pipeline: JobPipeline<ExportTestCatalog>;

interface ProgressSample {
  readonly status: string;
  readonly progress: number;
}

/** The finished export of the large portfolio, and what was seen on the way. */
let finished: {
  readonly id: string;
  readonly samples: readonly ProgressSample[];
};

async function readExportRow(id: string) {
  return ctx.deps.database.db
    .selectFrom('exports')
    .select([
      'status',
      'progress',
      'attempt',
      'page_count',
      'byte_size',
      'storage_key',
      'expires_at',
      'started_at',
      'error_code',
    ])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function readStoredPdf(key: string): Promise<Buffer> {
  const object = await ctx.deps.adapters.storage.getObject('exports', key);
  if (object === undefined) {
    throw new Error(`no stored object at ${key}`);
  }
  return buffer(object.body);
}

/** The `export.notify_ready` outbox rows of an export: one per READY mark. */
async function readyMailJobs(exportId: string) {
  return ctx.deps.database.db
    .selectFrom('job_outbox')
    .select(['job_name', 'payload'])
    .where('job_id', '=', readyMailJobId(exportId))
    .execute();
}

async function readOutbox(): Promise<string[]> {
  try {
    return (await readdir(directories.outbox)).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
}

async function readMailLink(fileName: string) {
  const mail = await simpleParser(await readFile(join(directories.outbox, fileName)));
  const link = /Download it: (\S+)/.exec(mail.text ?? '')?.[1];
  if (link === undefined) {
    throw new Error('the mail carries no download link');
  }
  return { mail, link: new URL(link) };
}

beforeAll(async () => {
  directories = await createExportDirectories();
  ctx = await createTestContext(directories.overrides);
  owner = await ctx.createUser();
  wiring = wireExports(ctx);
  pipeline = await startJobPipeline({
    ctx,
    catalog: EXPORT_TEST_CATALOG,
    handlers: wiring.handlers,
    prefix,
  });

  const templateId = await seededTemplateId(ctx, owner);
  const portfolio = await createPortfolio(ctx, owner, templateId, {
    title: 'Skills Atlas',
    content: largeContent(),
  });
  const queued = await ctx.request<ExportBody>('POST', `/api/portfolios/${portfolio.id}/exports`, {
    token: owner.token,
  });
  expect(queued.status).toBe(202);
  const samples: ProgressSample[] = [];
  await waitFor(
    async () => {
      const row = await readExportRow(queued.body.id);
      const last = samples.at(-1);
      if (last?.status !== row.status || last.progress !== row.progress) {
        samples.push({ status: row.status, progress: row.progress });
      }
      return row.status === 'READY' || row.status === 'FAILED' ? row : undefined;
    },
    40_000,
    'the export to finish',
  );
  finished = { id: queued.body.id, samples };
  // The mail is a job of its own, queued with the READY mark.
  await waitFor(
    async () => ((await readOutbox()).length > 0 ? true : undefined),
    10_000,
    'the ready mail',
  );
}, 60_000);

afterAll(async () => {
  await pipeline.close();
  await ctx.close();
  await rm(directories.root, { recursive: true, force: true });
});

describe('export.render of a large portfolio (R-JOB-6, R-JOB-7)', () => {
  it('ends READY with the page count, size, key and a 7-day expiry recorded', async () => {
    const row = await readExportRow(finished.id);

    expect(row).toMatchObject({ status: 'READY', progress: 100, attempt: 1, error_code: null });
    expect(row.page_count).toBeGreaterThan(100);
    expect(Number(row.byte_size)).toBeGreaterThan(0);
    expect(row.storage_key).toMatch(new RegExp(`/${finished.id}/skills-atlas\\.pdf$`));
    const lifetimeSeconds = ((row.expires_at?.getTime() ?? 0) - Date.now()) / 1000;
    expect(lifetimeSeconds).toBeGreaterThan(EXPORT_LINK_LIFETIME_SECONDS - 120);
    expect(lifetimeSeconds).toBeLessThanOrEqual(EXPORT_LINK_LIFETIME_SECONDS);
  });

  it('stores progress in PostgreSQL that rises through several values while rendering', () => {
    const progress = finished.samples.map((sample) => sample.progress);
    const rendering = finished.samples
      .filter((sample) => sample.status === 'RENDERING')
      .map((sample) => sample.progress)
      .filter((value) => value > 0);

    expect(new Set(rendering).size).toBeGreaterThanOrEqual(3);
    for (let index = 1; index < progress.length; index += 1) {
      expect(progress[index]).toBeGreaterThanOrEqual(progress[index - 1]!);
    }
    expect(finished.samples.at(-1)).toEqual({ status: 'READY', progress: 100 });
  });

  it('stores a complete PDF whose pages match the recorded page count', async () => {
    const row = await readExportRow(finished.id);

    const pdf = await readStoredPdf(row.storage_key ?? '');

    expectCompletePdf(pdf);
    expect(countPdfPages(pdf)).toBe(row.page_count);
    expect(pdf.byteLength).toBe(Number(row.byte_size));
  });

  it('mails the requester one link that downloads the same PDF until the export expires', async () => {
    const row = await readExportRow(finished.id);
    const stored = await readStoredPdf(row.storage_key ?? '');

    const files = await readOutbox();

    expect(files).toHaveLength(1);
    const { mail, link } = await readMailLink(files[0]!);
    expect(mail.to).toMatchObject({ text: owner.email });
    expect(mail.subject).toBe('Your PDF of "Skills Atlas" is ready');
    expect(mail.headers.get('x-entity-ref-id')).toBe(`export-ready:${finished.id}`);
    const expiresSeconds = (row.expires_at?.getTime() ?? 0) / 1000;
    expect(Number(link.searchParams.get('expires'))).toBeGreaterThanOrEqual(expiresSeconds);
    expect(Number(link.searchParams.get('expires'))).toBeLessThanOrEqual(expiresSeconds + 1);
    const download = await fetchBytes(ctx, link.href);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.bytes.equals(stored)).toBe(true);
  });

  it('refuses the mailed link once its signature or path is tampered with', async () => {
    const { link } = await readMailLink((await readOutbox())[0]!);
    const signature = link.searchParams.get('signature') ?? '';
    const forged = new URL(link);
    forged.searchParams.set(
      'signature',
      `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`,
    );
    const longer = new URL(link);
    longer.searchParams.set('expires', String(Number(link.searchParams.get('expires')) + 86_400));
    const elsewhere = new URL(link);
    elsewhere.pathname = elsewhere.pathname.replace(finished.id, randomUUID());

    const responses = await Promise.all(
      [forged, longer, elsewhere].map((url) => fetchBytes(ctx, url.href)),
    );

    expect(responses.map((response) => response.status)).toEqual([403, 403, 403]);
  });

  it('refuses a link of the export once it has expired', async () => {
    const row = await readExportRow(finished.id);
    const url = new URL(
      await ctx.deps.adapters.storage.createSignedUrl('exports', row.storage_key ?? '', 1),
    );
    const expiresMs = Number(url.searchParams.get('expires')) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresMs - Date.now()) + 50));

    const response = await fetchBytes(ctx, url.href);

    expect(response.status).toBe(403);
  });

  it('gives the API caller a working link as well', async () => {
    const response = await ctx.request<ExportBody>('GET', `/api/exports/${finished.id}`, {
      token: owner.token,
    });

    expect(response.body).toMatchObject({ status: 'READY', progress: 100, expired: false });
    const download = await fetchBytes(ctx, response.body.downloadUrl ?? '');
    expect(download.status).toBe(200);
    expectCompletePdf(download.bytes);
  });

  it('skips an export that is READY already when the job runs again', async () => {
    const result = await wiring.renderer.renderExport(finished.id, { attempt: 2 });

    expect(result).toEqual({ status: 'skipped', reason: 'the export is READY already' });
    expect(await readOutbox()).toHaveLength(1);
    expect(await readyMailJobs(finished.id)).toHaveLength(1);
  });

  it('only marks READY and queues the mail when a retry finds the file already stored', async () => {
    const before = await readExportRow(finished.id);
    const head = await ctx.deps.adapters.storage.headObject('exports', before.storage_key ?? '');
    await ctx.deps.database.db
      .updateTable('exports')
      .set({ status: 'UPLOADING', progress: 95, finished_at: null })
      .where('id', '=', finished.id)
      .execute();

    const result = await wiring.renderer.renderExport(finished.id, { attempt: 2 });

    expect(result).toEqual({ status: 'done' });
    const after = await readExportRow(finished.id);
    expect(after).toMatchObject({ status: 'READY', progress: 100, attempt: 1 });
    expect(after.started_at).toEqual(before.started_at);
    const headAfter = await ctx.deps.adapters.storage.headObject(
      'exports',
      before.storage_key ?? '',
    );
    expect(headAfter?.lastModified).toEqual(head?.lastModified);
    expect(await readyMailJobs(finished.id)).toHaveLength(2);
  });
});
