import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createDeploymentFixture,
  enqueueDeployment,
  readDeploymentLog,
} from '../../support/deployment-factory.ts';
import {
  type DeploymentHarness,
  startDeploymentHarness,
} from '../../support/deployment-harness.ts';

let h: DeploymentHarness;

beforeAll(async () => {
  h = await startDeploymentHarness();
  await h.startWorkers();
});

afterAll(async () => {
  await h.close();
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('deployment.run final failure (R-JOB-4, R-JOB-5)', () => {
  it('ends FAILED after 4 attempts with one failure mail and one signed deployment.failed webhook', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress);
    const id = fixture.deploymentId;
    h.proxy.failWhen((request) => request.url.includes(id));

    await enqueueDeployment(db, id);
    const state = await h.waitForDeployment(id, (s) => s.status === 'FAILED', 25_000);
    await waitUntil(
      async () =>
        (await h.deploymentQueue.getJobState(`deployment-failed-${id}`)) === 'completed' &&
        h.webhookReceiver.requests.length > 0,
      10_000,
      'the failure mail and webhook',
    );
    const delivery = await db
      .selectFrom('webhook_deliveries')
      .select(['id', 'status'])
      .where('event', '=', 'deployment.failed')
      .where(sql<string>`payload #>> '{data,deploymentId}'`, '=', id)
      .execute();
    await waitUntil(
      async () =>
        (
          await db
            .selectFrom('webhook_deliveries')
            .select('status')
            .where('id', '=', delivery[0]?.id ?? id)
            .executeTakeFirst()
        )?.status === 'succeeded',
      5_000,
      'the delivery to settle',
    );

    expect(state).toMatchObject({ status: 'FAILED', attempt: 4, currentStep: 'UPLOADING' });
    expect(state.errorCode).toMatch(/^storage\./);
    const log = await readDeploymentLog(db, id);
    expect(log.filter((row) => /^Attempt \d of 4 started/.test(row.message))).toHaveLength(4);
    expect(
      log.filter((row) => row.level === 'error' && row.message.startsWith('UPLOADING failed')),
    ).toHaveLength(4);
    expect(log.at(-1)?.message).toBe('Deployment failed: attempt 4 of 4 was the last');
    expect(log.some((row) => /\n\s+at /.test(row.message))).toBe(false);

    const mail = await h.listMail();
    expect(mail).toHaveLength(1);
    const parsed = await simpleParser(await readFile(join(h.mailDirectory, mail[0]!)));
    expect(parsed.to).toMatchObject({ text: fixture.userEmail });
    expect(parsed.subject).toContain('failed');
    expect(parsed.text).toContain(id);
    // Fault 7: a link a person can open (no bearer token), and fault 12: no vendor text.
    const statusLink = /https?:\/\/\S+\/status\/deployments\/\S+/.exec(parsed.text ?? '')?.[0];
    expect(statusLink).toBeDefined();
    expect(parsed.text).not.toContain('/api/deployments/');
    const page = await h.ctx.app.request(
      new URL(statusLink ?? '').pathname + new URL(statusLink ?? '').search,
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Failed');
    expect(state.errorMessage).toMatch(/^The file storage service [a-z ]+\.$/);
    expect(parsed.text).toContain(`Reason: ${state.errorMessage ?? ''}`);

    expect(delivery).toHaveLength(1);
    expect(h.webhookReceiver.requests).toHaveLength(1);
    const request = h.webhookReceiver.requests[0]!;
    const payload = new Webhook(h.webhookSecret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    expect(payload).toMatchObject({
      type: 'deployment.failed',
      data: {
        event: 'deployment.failed',
        deploymentId: id,
        portfolioId: fixture.portfolioId,
        attempt: 4,
        error: { code: state.errorCode, message: state.errorMessage },
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      },
    });
  });

  it('notifies nobody again when the job or the mail runs once more (crash and rerun)', async () => {
    const db = h.ctx.deps.database.db;
    const failed = await db
      .selectFrom('deployments')
      .select('id')
      .where('status', '=', 'FAILED')
      .executeTakeFirstOrThrow();
    const outboxBefore = await db
      .selectFrom('job_outbox')
      .select((eb) => eb.fn.countAll<string>().as('rows'))
      .executeTakeFirstOrThrow();

    const rerun = await h.wiring.runner.run(failed.id, {
      attempt: 4,
      maxAttempts: 4,
      signal: new AbortController().signal,
    });
    const remail = await h.wiring.failureMailer.mailFailure(failed.id);

    expect(rerun).toEqual({ kind: 'skipped', reason: 'the deployment is already FAILED' });
    expect(remail).toEqual({ status: 'sent' });
    expect(await h.listMail()).toHaveLength(1);
    const outboxAfter = await db
      .selectFrom('job_outbox')
      .select((eb) => eb.fn.countAll<string>().as('rows'))
      .executeTakeFirstOrThrow();
    expect(outboxAfter.rows).toBe(outboxBefore.rows);
  });
});
