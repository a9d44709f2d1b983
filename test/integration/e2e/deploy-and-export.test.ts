import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startJobProcessing } from '../../../src/wiring/start-job-processing.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createSamplePortfolio } from '../../support/pdf-sample-portfolio.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

// The issue's own check, as a test: the `work` role wired exactly as `npm start` wires it,
// a portfolio deployed through the API and served on its Host header, then a PDF export
// mailed as a link that downloads (R-JOB-2, R-JOB-7, R-PLAT-3).

interface DeploymentBody {
  readonly id: string;
  readonly status: string;
  readonly siteUrl: string | null;
  readonly logs?: readonly { readonly step: string | null; readonly message: string }[];
}
interface ExportBody {
  readonly id: string;
  readonly status: string;
  readonly pageCount: number | null;
  readonly downloadUrl?: string | null;
}

const prefix = uniqueQueuePrefix();
let ctx: TestContext;
let user: TestUser;
let dataDirectory: string;

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dataDirectory = await mkdtemp(join(tmpdir(), 'rr-e2e-'));
  ctx = await createTestContext({
    JOBS_QUEUE_PREFIX: prefix,
    JOBS_OUTBOX_POLL_MS: '250',
    STORAGE_LOCAL_DIRECTORY: join(dataDirectory, 'storage'),
    EMAIL_OUTBOX_DIRECTORY: join(dataDirectory, 'outbox'),
  });
  startJobProcessing(ctx.deps);
  user = await ctx.createUser();
});

afterAll(async () => {
  await ctx.close();
  await deleteQueueKeys('redis://127.0.0.1:6379', prefix);
  await rm(dataDirectory, { recursive: true, force: true });
});

describe('deploy a portfolio and serve it on its subdomain', () => {
  it('ends DEPLOYED with every step in order and serves the escaped site with ETags', async () => {
    const templateId = await seededTemplateId(ctx, user);
    const created = await ctx.request<{ id: string }>('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId, {
        title: 'Jane <script>alert(1)</script>',
        subdomain: 'jane-e2e',
      }),
    });
    expect(created.status).toBe(201);

    const requested = await ctx.request<DeploymentBody>(
      'POST',
      `/api/portfolios/${created.body.id}/deployments`,
      { token: user.token },
    );
    expect(requested.status).toBe(202);
    const location = requested.headers.get('location') ?? '';
    expect(location).toBe(`/api/deployments/${requested.body.id}`);

    const deployment = await poll(
      async () => (await ctx.request<DeploymentBody>('GET', location, { token: user.token })).body,
      (body) => body.status === 'DEPLOYED' || body.status === 'FAILED',
    );
    expect(deployment.status).toBe('DEPLOYED');
    expect(deployment.siteUrl).toBe('http://jane-e2e.localhost:3000/');
    const stepsInLogOrder = [
      ...new Set((deployment.logs ?? []).flatMap((log) => (log.step === null ? [] : [log.step]))),
    ];
    expect(stepsInLogOrder).toEqual([
      'QUEUED',
      'VALIDATING',
      'BUILDING',
      'UPLOADING',
      'CONFIGURING',
      'ACTIVATING',
    ]);

    const page = await ctx.request<string>('GET', '/', {
      headers: { host: 'jane-e2e.localhost:3000' },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('Jane &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    const etag = page.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}/);

    const repeat = await ctx.request<string>('GET', '/', {
      headers: { host: 'jane-e2e.localhost:3000', 'if-none-match': etag },
    });
    expect(repeat.status).toBe(304);
    expect(repeat.body).toBe('');
  });
});

describe('export a large portfolio as a PDF mailed as a link', () => {
  it('becomes READY and the mailed link downloads the PDF', async () => {
    const templateId = await seededTemplateId(ctx, user);
    const created = await ctx.request<{ id: string }>('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId, {
        content: createSamplePortfolio({ sections: 4, itemsPerSection: 6 }),
      }),
    });
    expect(created.status).toBe(201);

    const requested = await ctx.request<ExportBody>(
      'POST',
      `/api/portfolios/${created.body.id}/exports`,
      { token: user.token },
    );
    expect(requested.status).toBe(202);
    const location = requested.headers.get('location') ?? '';

    const ready = await poll(
      async () => (await ctx.request<ExportBody>('GET', location, { token: user.token })).body,
      (body) => body.status === 'READY' || body.status === 'FAILED',
    );
    expect(ready.status).toBe('READY');

    // The mail is the export.notify_ready job's, queued with READY: it may land just after.
    const outbox = join(dataDirectory, 'outbox');
    const names = await poll(
      () => readdir(outbox).catch(() => []),
      (found) => found.length > 0,
    );
    const mails = await Promise.all(names.map((name) => readFile(join(outbox, name), 'utf8')));
    expect(mails).toHaveLength(1);
    // Quoted-printable soft breaks (`=\r\n`) and `=3D` must be undone before reading the link.
    const text = (mails[0] ?? '').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const link = /https?:\/\/[^\s"<>]+\/storage\/[^\s"<>]+/.exec(text)?.[0] ?? '';
    expect(link).not.toBe('');

    const url = new URL(link.replace(/&amp;/g, '&'));
    const download = await ctx.app.request(`${url.pathname}${url.search}`);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('application/pdf');
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(ready.pageCount).toBeGreaterThan(1);
  });
});
