import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { renderPortfolioPdf } from '../../../src/features/exports/pdf-renderer.ts';
import { IntegrationFailure } from '../../../src/integrations/resilience/integration-errors.ts';
import {
  createIntegration,
  type Integration,
  type ResilientCall,
} from '../../../src/integrations/resilience/resilient-call.ts';
import { createS3Storage, type S3Storage } from '../../../src/integrations/storage/s3-storage.ts';
import { seededTemplateId } from '../../support/factories.ts';
import { type S3rverStandIn, startS3rver } from '../../support/stand-ins/storage-s3rver.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import {
  countPdfPages,
  createExportDirectories,
  createPortfolio,
  expectCompletePdf,
  type ExportBody,
  wireExports,
} from './export-test-support.ts';

let directories: Awaited<ReturnType<typeof createExportDirectories>>;
let ctx: TestContext;
let owner: TestUser;
let templateId: string;
let s3rver: S3rverStandIn;
let integration: Integration;
let storage: S3Storage;
let renderDirectory: string;

/** What the storage saw: `putObject` attempts, and whether the next one's reply is lost. */
const uploads = { attempts: 0, loseNextReply: false, refuseAll: false };
let renders = 0;

/**
 * The integration's real retrying call, with one twist on demand: an upload that reached the
 * server but whose reply was lost (a reset after the PUT), which the retry repeats.
 */
const flakyCall: ResilientCall = (operation, attempt) =>
  integration.call(operation, async (signal) => {
    if (operation === 'putObject') {
      uploads.attempts += 1;
      if (uploads.refuseAll) {
        throw new IntegrationFailure('storage', 'S3 putObject failed with 403', {
          kind: 'rejected',
          status: 403,
        });
      }
    }
    const result = await attempt(signal);
    if (operation === 'putObject' && uploads.loseNextReply) {
      uploads.loseNextReply = false;
      throw new IntegrationFailure('storage', 'the connection reset after the upload', {
        kind: 'retryable',
      });
    }
    return result;
  });

beforeAll(async () => {
  directories = await createExportDirectories();
  ctx = await createTestContext(directories.overrides);
  owner = await ctx.createUser();
  templateId = await seededTemplateId(ctx, owner);
  s3rver = await startS3rver();
  integration = createIntegration(
    'storage',
    {
      breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
      retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 },
      timeoutMs: 10_000,
    },
    { logger: pino({ level: 'silent' }) },
  );
  storage = createS3Storage({
    endpoint: s3rver.endpoint,
    region: 'us-east-1',
    accessKeyId: s3rver.accessKeyId,
    secretAccessKey: s3rver.secretAccessKey,
    forcePathStyle: true,
    call: flakyCall,
  });
  await storage.ensureBuckets();
  renderDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-export-renders-'));
});

afterAll(async () => {
  storage.close();
  integration.breaker.shutdown();
  await s3rver.close();
  await ctx.close();
  await rm(directories.root, { recursive: true, force: true });
  await rm(renderDirectory, { recursive: true, force: true });
});

function wire() {
  return wireExports(ctx, {
    storage,
    temporaryDirectory: renderDirectory,
    renderPdf: (options) => {
      renders += 1;
      return renderPortfolioPdf(options);
    },
  });
}

async function queueExport(): Promise<string> {
  const portfolio = await createPortfolio(ctx, owner, templateId, { title: 'Stored Once' });
  const queued = await ctx.request<ExportBody>('POST', `/api/portfolios/${portfolio.id}/exports`, {
    token: owner.token,
  });
  expect(queued.status).toBe(202);
  return queued.body.id;
}

describe('export.render storage (R-JOB-6, R-JOB-7)', () => {
  it('renders once and uploads the same file again when a storage retry is needed', async () => {
    const exportId = await queueExport();
    renders = 0;
    uploads.attempts = 0;
    uploads.loseNextReply = true;

    const result = await wire().renderer.renderExport(exportId, { attempt: 1 });

    expect(result).toEqual({ status: 'done' });
    expect(uploads.attempts).toBe(2);
    expect(renders).toBe(1);
    const row = await ctx.deps.database.db
      .selectFrom('exports')
      .select(['status', 'storage_key', 'page_count', 'byte_size'])
      .where('id', '=', exportId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('READY');
    const stored = await storage.getObject('exports', row.storage_key ?? '');
    if (stored === undefined) {
      throw new Error('the PDF was not stored');
    }
    const pdf = await buffer(stored.body);
    expectCompletePdf(pdf);
    expect(pdf.byteLength).toBe(Number(row.byte_size));
    expect(countPdfPages(pdf)).toBe(row.page_count);
    expect(await readdir(renderDirectory)).toEqual([]);
  });

  it('removes its temporary file when the upload fails', async () => {
    const exportId = await queueExport();
    uploads.refuseAll = true;

    try {
      await expect(wire().renderer.renderExport(exportId, { attempt: 1 })).rejects.toBeInstanceOf(
        IntegrationFailure,
      );
    } finally {
      uploads.refuseAll = false;
    }

    expect(await readdir(renderDirectory)).toEqual([]);
  });
});
