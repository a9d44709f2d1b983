import { text } from 'node:stream/consumers';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { subdomainHost } from '../../../src/features/sites/site-address.ts';
import { siteObjectKey } from '../../../src/features/sites/site-storage-layout.ts';
import {
  createDeploymentFixture,
  createPortfolioHolding,
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

const isFinished = (state: { status: string }) =>
  state.status === 'DEPLOYED' || state.status === 'FAILED';

async function waitForJobSettled(jobId: string) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const state = await h.deploymentQueue.getJobState(jobId);
    if (state === 'completed' || state === 'failed') {
      return h.deploymentQueue.getJob(jobId);
    }
    if (Date.now() > deadline) {
      throw new Error(`job ${jobId} is still ${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('deployment.run through the outbox and real workers', () => {
  it('ends DEPLOYED with every transition logged in order, the site stored, DNS set and the live pointer switched (R-JOB-2, R-JOB-3)', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress, { enqueue: true });
    const host = subdomainHost(h.siteAddress, fixture.subdomain);
    await h.ctx.deps.liveSites.write(host, 'none');

    const state = await h.waitForDeployment(fixture.deploymentId, isFinished, 15_000);

    expect(state).toMatchObject({ status: 'DEPLOYED', progress: 100, attempt: 1, errorCode: null });
    const log = await readDeploymentLog(db, fixture.deploymentId);
    expect(log.map((line) => `${line.step ?? '-'} ${line.message.split(':')[0] ?? ''}`)).toEqual([
      'VALIDATING Attempt 1 of 4 started',
      'VALIDATING VALIDATING started',
      'VALIDATING VALIDATING finished',
      'BUILDING BUILDING started',
      'BUILDING BUILDING finished',
      'UPLOADING UPLOADING started',
      'UPLOADING UPLOADING finished',
      'CONFIGURING CONFIGURING started',
      'CONFIGURING CONFIGURING finished',
      'ACTIVATING ACTIVATING started',
      'ACTIVATING Deployed',
    ]);
    const steps = await db
      .selectFrom('deployment_steps')
      .select(['step', 'attempt'])
      .where('deployment_id', '=', fixture.deploymentId)
      .orderBy('finished_at')
      .execute();
    expect(steps).toEqual(
      ['VALIDATING', 'BUILDING', 'UPLOADING', 'CONFIGURING', 'ACTIVATING'].map((step) => ({
        step,
        attempt: 1,
      })),
    );

    const storage = h.ctx.deps.adapters.storage;
    const key = (encoding: 'identity' | 'gzip' | 'br') =>
      siteObjectKey(fixture.portfolioId, fixture.deploymentId, 'index.html', encoding);
    expect(await storage.headObject('portfolios', key('identity'))).toMatchObject({
      contentType: 'text/html; charset=utf-8',
      cacheControl: expect.stringContaining('must-revalidate') as unknown,
    });
    expect((await storage.headObject('portfolios', key('gzip')))?.contentEncoding).toBe('gzip');
    expect((await storage.headObject('portfolios', key('br')))?.contentEncoding).toBe('br');
    const page = await storage.getObject('portfolios', key('identity'));
    const html = await text(page!.body);
    expect(html).toContain('Jane &lt;Doe&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');
    const manifest = await db
      .selectFrom('deployments')
      .select(['site_manifest', 'content_hash'])
      .where('id', '=', fixture.deploymentId)
      .executeTakeFirstOrThrow();
    expect(Object.keys(manifest.site_manifest?.files ?? {})).toContain('index.html');
    expect(manifest.content_hash).toMatch(/^[0-9a-f]{64}$/);

    const record = await db
      .selectFrom('dns_records')
      .select(['type', 'content'])
      .where('name', '=', host)
      .execute();
    expect(record).toEqual([{ type: 'CNAME', content: 'sites.localhost' }]);
    const portfolio = await db
      .selectFrom('portfolios')
      .select('live_deployment_id')
      .where('id', '=', fixture.portfolioId)
      .executeTakeFirstOrThrow();
    expect(portfolio.live_deployment_id).toBe(fixture.deploymentId);
    expect(await h.ctx.deps.liveSites.read(host)).toBeUndefined();
  });

  it('records a deployment.succeeded delivery with its webhook.deliver job in the outbox (R-JOB-5)', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress, { enqueue: true });

    await h.waitForDeployment(fixture.deploymentId, isFinished, 15_000);

    const deliveries = await db
      .selectFrom('webhook_deliveries')
      .select(['id', 'event', 'payload', 'is_global'])
      .where('event', '=', 'deployment.succeeded')
      .where(sql<string>`payload #>> '{data,deploymentId}'`, '=', fixture.deploymentId)
      .execute();
    expect(deliveries).toHaveLength(1);
    const delivery = deliveries[0]!;
    expect(delivery.payload).toMatchObject({
      type: 'deployment.succeeded',
      data: {
        event: 'deployment.succeeded',
        deploymentId: fixture.deploymentId,
        portfolioId: fixture.portfolioId,
        attempt: 1,
        url: fixture.siteUrl,
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      },
    });
    const outbox = await db
      .selectFrom('job_outbox')
      .select(['job_name', 'payload'])
      .where('job_id', '=', `webhook-${delivery.id}-0`)
      .execute();
    expect(outbox).toEqual([
      { job_name: 'webhook.deliver', payload: { deliveryId: delivery.id, run: 0 } },
    ]);
  });

  it('issues and records a certificate for a verified custom domain and purges its cached host (R-JOB-2)', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress, {
      customDomain: { name: 'jane-portfolio.example.org', verified: true },
      enqueue: true,
    });
    await h.ctx.deps.liveSites.write('jane-portfolio.example.org', 'none');

    const state = await h.waitForDeployment(fixture.deploymentId, isFinished, 15_000);

    expect(state.status).toBe('DEPLOYED');
    const domain = await db
      .selectFrom('custom_domains')
      .select(['certificate_chain_key', 'certificate_key_key', 'certificate_not_after'])
      .where('domain', '=', 'jane-portfolio.example.org')
      .executeTakeFirstOrThrow();
    expect(domain.certificate_chain_key).toMatch(/^jane-portfolio\.example\.org\//);
    expect(domain.certificate_key_key).toMatch(/\.key\.pem$/);
    expect(domain.certificate_not_after!.getTime()).toBeGreaterThan(Date.now());
    expect(
      await h.ctx.deps.adapters.storage.headObject('certificates', domain.certificate_key_key!),
    ).toBeDefined();
    expect(await h.ctx.deps.liveSites.read('jane-portfolio.example.org')).toBeUndefined();
  });
});

describe('deployment.run refusals (R-JOB-2, R-JOB-4)', () => {
  it('fails invalid content on attempt 1 with deployment.content_invalid and no retry', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress, {
      content: { profile: { name: '' }, links: [{ label: 'x', url: 'javascript:alert(1)' }] },
      enqueue: true,
    });

    const state = await h.waitForDeployment(fixture.deploymentId, isFinished, 15_000);
    const job = await waitForJobSettled(fixture.deploymentId);

    expect(state).toMatchObject({
      status: 'FAILED',
      attempt: 1,
      currentStep: 'VALIDATING',
      errorCode: 'deployment.content_invalid',
    });
    expect(state.errorMessage).toContain('profile.name');
    expect(job?.attemptsMade).toBe(1);
    const log = await readDeploymentLog(db, fixture.deploymentId);
    expect(log.filter((line) => line.message.startsWith('Attempt '))).toHaveLength(1);
    expect(log.at(-1)).toMatchObject({ step: 'VALIDATING', level: 'error' });
    expect(log.some((line) => /\n\s+at /.test(line.message))).toBe(false);
  });

  it('fails a subdomain taken by another portfolio on attempt 1 with deployment.subdomain_taken', async () => {
    const db = h.ctx.deps.database.db;
    await createPortfolioHolding(db, 'taken-by-someone');
    const fixture = await createDeploymentFixture(db, h.siteAddress, {
      deploymentSubdomain: 'taken-by-someone',
      enqueue: true,
    });

    const state = await h.waitForDeployment(fixture.deploymentId, isFinished, 15_000);
    const job = await waitForJobSettled(fixture.deploymentId);

    expect(state).toMatchObject({
      status: 'FAILED',
      attempt: 1,
      errorCode: 'deployment.subdomain_taken',
    });
    expect(job?.attemptsMade).toBe(1);
    expect(h.wiring.dnsUpserts).not.toContain('taken-by-someone');
  });
});
