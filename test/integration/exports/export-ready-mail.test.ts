import { readdir, rm } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  readyMailIdempotencyKey,
  readyMailJobId,
} from '../../../src/features/exports/export-notifications.ts';
import type { EmailMessage, EmailSender } from '../../../src/integrations/email/email.ts';
import { IntegrationFailure } from '../../../src/integrations/resilience/integration-errors.ts';
import { seededTemplateId } from '../../support/factories.ts';
import { type JobPipeline, startJobPipeline } from '../../support/job-pipeline.ts';
import { uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import { openQueue, waitFor, waitForJobState } from '../jobs/job-test-support.ts';
import {
  createExportDirectories,
  createPortfolio,
  EXPORT_TEST_CATALOG,
  type ExportBody,
  type ExportTestCatalog,
  fetchBytes,
  wireExports,
} from './export-test-support.ts';

const prefix = uniqueQueuePrefix();
let directories: Awaited<ReturnType<typeof createExportDirectories>>;
let ctx: TestContext;
let owner: TestUser;
let templateId: string;

/** Every message handed to the email port, and whether the port refuses them (a 5xx/4xx). */
const mail = { sent: [] as EmailMessage[], refuse: false };
const recordingEmail = (real: EmailSender): EmailSender => ({
  async send(message) {
    mail.sent.push(message);
    if (mail.refuse) {
      throw new IntegrationFailure('email', '550 5.1.1 mailbox unavailable', {
        kind: 'rejected',
        status: 550,
      });
    }
    return real.send(message);
  },
});

async function readOutbox(): Promise<string[]> {
  try {
    return (await readdir(directories.outbox)).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
}

async function queueExport(user = owner, template = templateId): Promise<string> {
  const portfolio = await createPortfolio(ctx, user, template, { title: 'Mailed Once' });
  const queued = await ctx.request<ExportBody>('POST', `/api/portfolios/${portfolio.id}/exports`, {
    token: user.token,
  });
  expect(queued.status).toBe(202);
  return queued.body.id;
}

function wire() {
  return wireExports(ctx, { email: recordingEmail(ctx.deps.adapters.email) });
}

/** An export rendered and READY, its ready mail queued in the outbox but not sent. */
async function readyExport(user = owner, template = templateId): Promise<string> {
  const exportId = await queueExport(user, template);
  expect(await wire().renderer.renderExport(exportId, { attempt: 1 })).toEqual({ status: 'done' });
  return exportId;
}

beforeAll(async () => {
  directories = await createExportDirectories();
  ctx = await createTestContext(directories.overrides);
  owner = await ctx.createUser();
  templateId = await seededTemplateId(ctx, owner);
});

afterAll(async () => {
  await ctx.close();
  await rm(directories.root, { recursive: true, force: true });
});

describe('the export ready mail (R-JOB-7)', () => {
  it('is queued once, with the READY mark, as export.notify_ready', async () => {
    const exportId = await readyExport();

    const jobs = await ctx.deps.database.db
      .selectFrom('job_outbox')
      .select(['job_name', 'job_id', 'payload'])
      .where('job_id', 'in', [exportId, readyMailJobId(exportId)])
      .orderBy('job_name')
      .execute();

    expect(jobs).toEqual([
      {
        job_name: 'export.notify_ready',
        job_id: `export-ready-${exportId}`,
        payload: { exportId },
      },
      { job_name: 'export.render', job_id: exportId, payload: { exportId } },
    ]);
    expect(mail.sent).toEqual([]);
  });

  it('is written once however often its job runs', async () => {
    const exportId = await readyExport();
    const { readyMailer } = wire();
    const before = (await readOutbox()).length;

    expect(await readyMailer.mailReady(exportId)).toEqual({ status: 'sent' });
    expect(await readyMailer.mailReady(exportId)).toEqual({ status: 'sent' });

    expect(await readOutbox()).toHaveLength(before + 1);
    expect(mail.sent.at(-1)).toMatchObject({
      to: owner.email,
      subject: 'Your PDF of "Mailed Once" is ready',
      idempotencyKey: readyMailIdempotencyKey(exportId),
    });
  });

  it('is skipped for an export that is not READY, has expired, or has no address', async () => {
    const queued = await queueExport();
    const expired = await readyExport();
    await ctx.deps.database.db
      .updateTable('exports')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('id', '=', expired)
      .execute();
    const { readyMailer } = wire();
    const sentBefore = mail.sent.length;

    expect(await readyMailer.mailReady(queued)).toEqual({
      status: 'skipped',
      reason: 'the export is QUEUED, not READY',
    });
    expect(await readyMailer.mailReady(expired)).toEqual({
      status: 'skipped',
      reason: 'the export has expired',
    });
    const mute = await ctx.createUser();
    const addressless = await readyExport(mute, await seededTemplateId(ctx, mute));
    await ctx.deps.database.db
      .updateTable('users')
      .set({ email: null })
      .where('id', '=', mute.id)
      .execute();
    expect(await readyMailer.mailReady(addressless)).toEqual({
      status: 'skipped',
      reason: 'the requester has no email address',
    });
    expect(mail.sent).toHaveLength(sentBefore);
  });

  it('leaves the export READY with its PDF when the mail is refused', async () => {
    mail.refuse = true;
    const pipeline: JobPipeline<ExportTestCatalog> = await startJobPipeline({
      ctx,
      catalog: EXPORT_TEST_CATALOG,
      handlers: wire().handlers,
      prefix,
    });
    const queue = openQueue(prefix, 'webhooks');
    try {
      const exportId = await queueExport();

      const job = await waitForJobState(queue, readyMailJobId(exportId), 'failed', 20_000);

      expect(job.attemptsMade).toBe(1);
      expect(mail.sent.filter((message) => message.idempotencyKey.endsWith(exportId))).toHaveLength(
        1,
      );
      const view = await waitFor(async () => {
        const response = await ctx.request<ExportBody>('GET', `/api/exports/${exportId}`, {
          token: owner.token,
        });
        return response.body.status === 'READY' ? response.body : undefined;
      });
      expect(view).toMatchObject({ status: 'READY', progress: 100, error: null });
      const download = await fetchBytes(ctx, view.downloadUrl ?? '');
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/pdf');
    } finally {
      mail.refuse = false;
      await queue.close();
      await pipeline.close();
    }
  });
});
