import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'vitest';

import type { PortfolioBody } from '../../support/api-bodies.ts';
import { portfolioInput } from '../../support/factories.ts';
import type { TestContext, TestUser } from '../../support/test-context.ts';

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
