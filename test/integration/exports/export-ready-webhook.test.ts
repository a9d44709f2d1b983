import { rm } from 'node:fs/promises';

import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { seededTemplateId } from '../../support/factories.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import {
  createExportDirectories,
  createPortfolio,
  type ExportBody,
  wireExports,
} from './export-test-support.ts';

// `export.ready` was advertised (subscribable) but never sent. It is recorded with the READY
// mark, signed like every event, and carries what the export is, not its signed link.

let directories: Awaited<ReturnType<typeof createExportDirectories>>;
let ctx: TestContext;
let owner: TestUser;
let receiver: ScriptedHttpServer;
let secret: string;

beforeAll(async () => {
  receiver = await startScriptedHttpServer({ status: 204 });
  directories = await createExportDirectories();
  ctx = await createTestContext({
    ...directories.overrides,
    WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
  });
  owner = await ctx.createUser();
  const endpoint = await ctx.request<{ secret: string }>('POST', '/api/webhook-endpoints', {
    token: owner.token,
    body: { url: `${receiver.url}/exports`, events: ['export.ready'] },
  });
  secret = endpoint.body.secret;
});

afterAll(async () => {
  await ctx.close();
  await receiver.close();
  await rm(directories.root, { recursive: true, force: true });
});

async function readyDeliveries(exportId: string) {
  return ctx.deps.database.db
    .selectFrom('webhook_deliveries')
    .select(['id', 'payload', 'status'])
    .where('event', '=', 'export.ready')
    .where(sql<string>`payload #>> '{data,exportId}'`, '=', exportId)
    .execute();
}

describe('export.ready webhook', () => {
  it('is recorded with READY and sent signed, with the export’s facts and no link', async () => {
    const templateId = await seededTemplateId(ctx, owner);
    const portfolio = await createPortfolio(ctx, owner, templateId, { title: 'Ready Hook' });
    const queued = await ctx.request<ExportBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/exports`,
      { token: owner.token },
    );

    expect(await readyDeliveries(queued.body.id)).toEqual([]);
    await wireExports(ctx).renderer.renderExport(queued.body.id, { attempt: 1 });
    const [delivery, ...others] = await readyDeliveries(queued.body.id);
    const result = await ctx.deps.webhookDeliveries.deliver({ deliveryId: delivery!.id, run: 0 });

    const stored = await ctx.request<ExportBody>('GET', `/api/exports/${queued.body.id}`, {
      token: owner.token,
    });
    expect(others).toEqual([]);
    expect(result.status).toBe('succeeded');
    const [request] = receiver.requests;
    const payload = new Webhook(secret).verify(request!.body, {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    });
    expect(payload).toEqual({
      type: 'export.ready',
      timestamp: expect.any(String) as unknown,
      data: {
        event: 'export.ready',
        exportId: queued.body.id,
        portfolioId: portfolio.id,
        pageSize: 'A4',
        pageCount: stored.body.pageCount,
        byteSize: stored.body.byteSize,
        expiresAt: stored.body.expiresAt,
        timestamp: stored.body.finishedAt,
      },
    });
    expect(stored.body.pageCount).toBeGreaterThan(0);
    expect(request!.body).not.toMatch(/https?:\/\//);
  });

  it('is not recorded twice when the render job runs again for a READY export', async () => {
    const templateId = await seededTemplateId(ctx, owner);
    const portfolio = await createPortfolio(ctx, owner, templateId, { title: 'Once' });
    const queued = await ctx.request<ExportBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/exports`,
      { token: owner.token },
    );
    const renderer = wireExports(ctx).renderer;
    await renderer.renderExport(queued.body.id, { attempt: 1 });

    const again = await renderer.renderExport(queued.body.id, { attempt: 2 });

    expect(again.status).toBe('skipped');
    expect(await readyDeliveries(queued.body.id)).toHaveLength(1);
  });
});
