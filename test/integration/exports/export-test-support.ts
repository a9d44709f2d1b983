import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'vitest';

import {
  createExportReadyMailer,
  type ExportReadyMailer,
} from '../../../src/features/exports/export-notifications.ts';
import {
  createExportRenderer,
  type ExportRenderer,
  type ExportRendererOptions,
} from '../../../src/features/exports/export-renderer.ts';
import type { EmailSender } from '../../../src/integrations/email/email.ts';
import type { Storage } from '../../../src/integrations/storage/storage.ts';
import { createNotifyExportReadyJob } from '../../../src/jobs/handlers/notify-export-ready.job.ts';
import { createRenderExportJob } from '../../../src/jobs/handlers/render-export.job.ts';
import { JOB_CATALOG, type JobCatalog } from '../../../src/jobs/job-catalog.ts';
import type { JobHandlers } from '../../../src/jobs/job-handler.ts';
import { enqueueInTransaction } from '../../../src/jobs/outbox/enqueue-in-transaction.ts';
import type { PortfolioBody } from '../../support/api-bodies.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

/** The export as GET /api/exports/{id} describes it (the API's contract, written out). */
export interface ExportBody {
  readonly id: string;
  readonly portfolioId: string;
  readonly portfolioVersion: number;
  readonly format: string;
  readonly pageSize: string;
  readonly status: string;
  readonly progress: number;
  readonly attempt: number;
  readonly pageCount: number | null;
  readonly byteSize: number | null;
  readonly expiresAt: string | null;
  readonly expired: boolean;
  readonly downloadUrl: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly finishedAt: string | null;
}

/** The jobs an export starts, and nothing else. */
export const EXPORT_TEST_CATALOG = {
  'export.render': JOB_CATALOG['export.render'],
  'export.notify_ready': JOB_CATALOG['export.notify_ready'],
} as const satisfies JobCatalog;
export type ExportTestCatalog = typeof EXPORT_TEST_CATALOG;

export interface ExportWiring {
  readonly renderer: ExportRenderer;
  readonly readyMailer: ExportReadyMailer;
  readonly handlers: JobHandlers<ExportTestCatalog>;
}

/**
 * The export renderer, ready mailer and their jobs as create-job-handler-deps builds them,
 * from the context's real adapters unless a test swaps one.
 */
export function wireExports(
  ctx: TestContext,
  overrides: {
    readonly storage?: Storage;
    readonly email?: EmailSender;
    readonly renderPdf?: ExportRendererOptions['renderPdf'];
    readonly temporaryDirectory?: string;
  } = {},
): ExportWiring {
  const storage = overrides.storage ?? ctx.deps.adapters.storage;
  const renderer = createExportRenderer({
    db: ctx.deps.database.db,
    storage,
    enqueueInTransaction,
    webhooks: ctx.deps.webhookDeliveries,
    ...(overrides.renderPdf === undefined ? {} : { renderPdf: overrides.renderPdf }),
    ...(overrides.temporaryDirectory === undefined
      ? {}
      : { temporaryDirectory: overrides.temporaryDirectory }),
  });
  const readyMailer = createExportReadyMailer({
    db: ctx.deps.database.db,
    storage,
    email: overrides.email ?? ctx.deps.adapters.email,
  });
  return {
    renderer,
    readyMailer,
    handlers: {
      'export.render': createRenderExportJob(renderer),
      'export.notify_ready': createNotifyExportReadyJob({ readyMailer }),
    },
  };
}

/** Own folders for stored objects and mail, so a test reads only what it produced. */
export async function createExportDirectories() {
  const root = await mkdtemp(join(tmpdir(), 'rolerabbit-exports-'));
  return {
    root,
    storage: join(root, 'storage'),
    outbox: join(root, 'outbox'),
    overrides: {
      STORAGE_DRIVER: 'local',
      STORAGE_LOCAL_DIRECTORY: join(root, 'storage'),
      EMAIL_DRIVER: 'outbox',
      EMAIL_OUTBOX_DIRECTORY: join(root, 'outbox'),
    },
  };
}

/** An API test file's world: its own database and folders, an owner and a stranger. */
export interface ExportApiWorld {
  readonly ctx: TestContext;
  readonly owner: TestUser;
  readonly stranger: TestUser;
  readonly templateId: string;
  close(): Promise<void>;
}

export async function createExportApiWorld(): Promise<ExportApiWorld> {
  const directories = await createExportDirectories();
  const ctx = await createTestContext(directories.overrides);
  const owner = await ctx.createUser();
  const stranger = await ctx.createUser();
  const templateId = await seededTemplateId(ctx, owner);
  await seededTemplateId(ctx, stranger);
  return {
    ctx,
    owner,
    stranger,
    templateId,
    async close() {
      await ctx.close();
      await rm(directories.root, { recursive: true, force: true });
    },
  };
}

/** How many exports a portfolio has, whatever their status. */
export async function countExports(ctx: TestContext, portfolioId: string): Promise<number> {
  const row = await ctx.deps.database.db
    .selectFrom('exports')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('portfolio_id', '=', portfolioId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Within the content schema's limits, but over the 5-second in-request estimate: 1,500
 * items with 20 tag chips each (about 170 A4 pages).
 */
export function largeContent() {
  return {
    profile: { name: 'Tag Heavy', headline: 'Many skills' },
    sections: Array.from({ length: 30 }, (_, section) => ({
      kind: 'skills',
      title: `Skills ${String(section + 1)}`,
      items: Array.from({ length: 50 }, (_, item) => ({
        title: `Group ${String(item + 1)}`,
        tags: Array.from({ length: 20 }, (_, tag) => `t${String(tag)}`),
      })),
    })),
  };
}

export async function createPortfolio(
  ctx: TestContext,
  user: TestUser,
  templateId: string,
  overrides: Record<string, unknown> = {},
): Promise<PortfolioBody> {
  const response = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
    token: user.token,
    body: portfolioInput(templateId, overrides),
  });
  expect(response.status).toBe(201);
  return response.body;
}

/** `GET` through the in-process app, keeping the body as bytes. */
export async function fetchBytes(ctx: TestContext, url: string, token?: string) {
  const response = await ctx.app.request(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

/** Page objects of a PDF: `/Type /Page`, not the `/Type /Pages` tree nodes. */
export function countPdfPages(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
}

export function expectCompletePdf(pdf: Buffer): void {
  const raw = pdf.toString('latin1');
  expect(raw.startsWith('%PDF-')).toBe(true);
  expect(raw.trimEnd().endsWith('%%EOF')).toBe(true);
}
