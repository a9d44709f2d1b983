import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { DeploymentRunOutcome } from '../../../src/features/deployments/deployment-runner.ts';
import { claimSubdomainRecord } from '../../../src/features/sites/subdomain-records.ts';
import type { DnsRecord } from '../../../src/integrations/dns/dns-provider.ts';
import { createDeploymentFixture, readDeployment } from '../../support/deployment-factory.ts';
import { wireDeployments } from '../../support/deployment-wiring.ts';
import {
  type CloudflareApiStandIn,
  startCloudflareApi,
} from '../../support/stand-ins/cloudflare-api.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';

/** One DNS adapter under test: how to start it, and how an operator adds a record to it. */
interface DnsBackend {
  readonly name: string;
  start(): Promise<{
    readonly env: Record<string, string>;
    /** A record put there by hand, without our mark. */
    readonly seedForeign: (
      ctx: TestContext,
      record: { readonly type: 'CNAME' | 'A'; readonly name: string; readonly content: string },
    ) => Promise<void>;
    readonly stop: () => Promise<void>;
  }>;
}

const BASE_DOMAIN = 'rolerabbit.test';
const TARGET = 'sites.rolerabbit.test';

const LOCAL: DnsBackend = {
  name: 'local',
  start: () =>
    Promise.resolve({
      env: {},
      async seedForeign(ctx, record) {
        await ctx.deps.database.db
          .insertInto('dns_records')
          .values({ ...record, ttl_seconds: 1, proxied: false })
          .execute();
      },
      stop: () => Promise.resolve(),
    }),
};

const CLOUDFLARE: DnsBackend = {
  name: 'cloudflare',
  async start() {
    const api: CloudflareApiStandIn = await startCloudflareApi();
    return {
      env: {
        DNS_PROVIDER: 'cloudflare',
        CLOUDFLARE_API_TOKEN: api.token,
        CLOUDFLARE_ZONE_ID: api.zoneId,
        CLOUDFLARE_API_URL: api.url,
      },
      seedForeign(_ctx, record) {
        api.seed([record]);
        return Promise.resolve();
      },
      stop: () => api.close(),
    };
  },
};

describe.each([LOCAL, CLOUDFLARE])('deployment DNS records ($name adapter, R-SEC-2)', (backend) => {
  let ctx: TestContext;
  let storageDirectory: string;
  let stopBackend: () => Promise<void>;
  let seedForeign: Awaited<ReturnType<DnsBackend['start']>>['seedForeign'];

  beforeAll(async () => {
    storageDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-dns-deploy-'));
    const started = await backend.start();
    stopBackend = started.stop;
    seedForeign = started.seedForeign;
    ctx = await createTestContext({
      ...started.env,
      BASE_DOMAIN,
      DNS_SITE_TARGET: TARGET,
      STORAGE_LOCAL_DIRECTORY: storageDirectory,
      RETRY_COUNT: '0',
    });
    await ctx.deps.adapters.storage.ensureBuckets();
  });

  afterAll(async () => {
    await ctx.close();
    await stopBackend();
    await rm(storageDirectory, { recursive: true, force: true });
  });

  const subdomainOf = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;

  async function deploy(subdomain: string): Promise<{
    readonly outcome: DeploymentRunOutcome;
    readonly deploymentId: string;
    readonly portfolioId: string;
  }> {
    const fixture = await createDeploymentFixture(ctx.deps.database.db, ctx.deps.siteAddress, {
      subdomain,
    });
    const outcome = await wireDeployments(ctx.deps).runner.run(fixture.deploymentId, {
      attempt: 1,
      maxAttempts: 4,
      signal: new AbortController().signal,
    });
    return { outcome, deploymentId: fixture.deploymentId, portfolioId: fixture.portfolioId };
  }

  const recordsAt = (subdomain: string): Promise<readonly DnsRecord[]> =>
    ctx.deps.adapters.dns.listRecords({ name: `${subdomain}.${BASE_DOMAIN}` });

  it("fails for good with dns.record_conflict when an operator's record holds the name", async () => {
    const subdomain = subdomainOf('careers');
    const name = `${subdomain}.${BASE_DOMAIN}`;
    await seedForeign(ctx, { type: 'CNAME', name, content: 'jobs.example.org' });

    const { outcome, deploymentId } = await deploy(subdomain);

    expect(outcome).toMatchObject({
      kind: 'failed',
      failure: { code: 'dns.record_conflict', retryable: false },
    });
    const state = await readDeployment(ctx.deps.database.db, deploymentId);
    expect(state).toMatchObject({ status: 'FAILED', errorCode: 'dns.record_conflict' });
    expect(state.errorMessage).toContain('CNAME record not created by RoleRabbit');
    expect(await recordsAt(subdomain)).toEqual([
      expect.objectContaining({ type: 'CNAME', content: 'jobs.example.org', owner: null }),
    ]);
  });

  it('names the type of any other record at the name, an A record too', async () => {
    const subdomain = subdomainOf('shop');
    await seedForeign(ctx, {
      type: 'A',
      name: `${subdomain}.${BASE_DOMAIN}`,
      content: '192.0.2.80',
    });

    const { outcome } = await deploy(subdomain);

    expect(outcome).toMatchObject({ kind: 'failed', failure: { code: 'dns.record_conflict' } });
    expect(outcome.kind === 'failed' ? outcome.failure.message : '').toContain('an A record');
    expect(await recordsAt(subdomain)).toEqual([
      expect.objectContaining({ content: '192.0.2.80' }),
    ]);
  });

  it('marks the record it creates as the portfolio', async () => {
    const subdomain = subdomainOf('jane');

    const { outcome, portfolioId } = await deploy(subdomain);

    expect(outcome.kind).toBe('deployed');
    expect(await recordsAt(subdomain)).toEqual([
      expect.objectContaining({
        type: 'CNAME',
        content: TARGET,
        owner: `portfolio=${portfolioId}`,
      }),
    ]);
  });

  it('releases a record that a portfolio which freed the name left behind, then deploys', async () => {
    const subdomain = subdomainOf('freed');
    const first = await deploy(subdomain);
    await ctx.deps.database.db
      .updateTable('portfolios')
      .set({ deleted_at: new Date() })
      .where('id', '=', first.portfolioId)
      .execute();

    const second = await deploy(subdomain);

    expect(second.outcome.kind).toBe('deployed');
    expect(await recordsAt(subdomain)).toEqual([
      expect.objectContaining({ owner: `portfolio=${second.portfolioId}` }),
    ]);
  });

  it('never releases the record of a portfolio that still holds the name', async () => {
    const subdomain = subdomainOf('held');
    const first = await deploy(subdomain);
    const other = await createDeploymentFixture(ctx.deps.database.db, ctx.deps.siteAddress);

    const claim = claimSubdomainRecord(
      { db: ctx.deps.database.db, siteRecords: ctx.deps.adapters.siteRecords },
      subdomain,
      other.portfolioId,
    );

    await expect(claim).rejects.toMatchObject({
      code: 'dns.record_conflict',
      heldBy: `portfolio=${first.portfolioId}`,
    });
    expect(await recordsAt(subdomain)).toEqual([
      expect.objectContaining({ owner: `portfolio=${first.portfolioId}` }),
    ]);
  });
});

describe('deployment DNS records under a Cloudflare rate limit', () => {
  let api: CloudflareApiStandIn;
  let ctx: TestContext;
  let storageDirectory: string;

  beforeEach(async () => {
    storageDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-dns-deploy-'));
    api = await startCloudflareApi();
    ctx = await createTestContext({
      DNS_PROVIDER: 'cloudflare',
      CLOUDFLARE_API_TOKEN: api.token,
      CLOUDFLARE_ZONE_ID: api.zoneId,
      CLOUDFLARE_API_URL: api.url,
      BASE_DOMAIN,
      DNS_SITE_TARGET: TARGET,
      STORAGE_LOCAL_DIRECTORY: storageDirectory,
    });
    await ctx.deps.adapters.storage.ensureBuckets();
  });

  afterEach(async () => {
    await ctx.close();
    await api.close();
    await rm(storageDirectory, { recursive: true, force: true });
  });

  it('repeats even the last attempt after a 429 instead of failing the deployment', async () => {
    const fixture = await createDeploymentFixture(ctx.deps.database.db, ctx.deps.siteAddress);
    api.failNext(1, { status: 429, retryAfterSeconds: 300 });
    const before = Date.now();

    const outcome = await wireDeployments(ctx.deps).runner.run(fixture.deploymentId, {
      attempt: 4,
      maxAttempts: 4,
      signal: new AbortController().signal,
    });

    expect(outcome).toMatchObject({ kind: 'retry', failure: { code: 'dns.rate_limited' } });
    const blockedUntil = outcome.kind === 'retry' ? outcome.failure.blockedUntil : undefined;
    expect(blockedUntil).toBeGreaterThanOrEqual(before + 300_000);
    const state = await readDeployment(ctx.deps.database.db, fixture.deploymentId);
    expect(state).toMatchObject({ status: 'CONFIGURING', errorCode: 'dns.rate_limited' });
    expect(ctx.deps.integrations.get('dns').breaker.snapshot().state).toBe('closed');
  });
});
