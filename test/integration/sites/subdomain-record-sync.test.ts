import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSubdomainRecordSync } from '../../../src/features/sites/subdomain-records.ts';
import type { DnsRecord } from '../../../src/integrations/dns/dns-provider.ts';
import { createSyncSubdomainRecordJob } from '../../../src/jobs/handlers/sync-subdomain-record.job.ts';
import { JOB_CATALOG, type JobCatalog } from '../../../src/jobs/job-catalog.ts';
import { type DeployedSite, deploySiteDirectly } from '../../support/deployed-site.ts';
import { type JobPipeline, startJobPipeline } from '../../support/job-pipeline.ts';
import { startCloudflareApi } from '../../support/stand-ins/cloudflare-api.ts';
import { uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import { waitFor } from '../jobs/job-test-support.ts';

const SYNC_CATALOG = {
  'dns.sync_subdomain': JOB_CATALOG['dns.sync_subdomain'],
} as const satisfies JobCatalog;

const BASE_DOMAIN = 'rolerabbit.test';
const TARGET = 'sites.rolerabbit.test';

interface Backend {
  readonly name: string;
  readonly start: () => Promise<{
    readonly env: Record<string, string>;
    readonly stop: () => Promise<void>;
  }>;
}

const BACKENDS: readonly Backend[] = [
  {
    name: 'local',
    start: () => Promise.resolve({ env: {}, stop: () => Promise.resolve() }),
  },
  {
    name: 'cloudflare',
    async start() {
      const api = await startCloudflareApi();
      return {
        env: {
          DNS_PROVIDER: 'cloudflare',
          CLOUDFLARE_API_TOKEN: api.token,
          CLOUDFLARE_ZONE_ID: api.zoneId,
          CLOUDFLARE_API_URL: api.url,
        },
        stop: () => api.close(),
      };
    },
  },
];

describe.each(BACKENDS)('dns.sync_subdomain ($name adapter, R-SEC-2)', (backend) => {
  let ctx: TestContext;
  let pipeline: JobPipeline<typeof SYNC_CATALOG>;
  let owner: TestUser;
  let storageDirectory: string;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    storageDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-dns-sync-'));
    const started = await backend.start();
    stopBackend = started.stop;
    ctx = await createTestContext({
      ...started.env,
      BASE_DOMAIN,
      DNS_SITE_TARGET: TARGET,
      STORAGE_LOCAL_DIRECTORY: storageDirectory,
      RETRY_COUNT: '0',
    });
    const records = createSubdomainRecordSync({
      db: ctx.deps.database.db,
      siteRecords: ctx.deps.adapters.siteRecords,
    });
    pipeline = await startJobPipeline({
      ctx,
      catalog: SYNC_CATALOG,
      handlers: { 'dns.sync_subdomain': createSyncSubdomainRecordJob({ records }) },
      prefix: uniqueQueuePrefix(),
    });
    owner = await ctx.createUser();
  });

  afterAll(async () => {
    await pipeline.close();
    await ctx.close();
    await stopBackend();
    await rm(storageDirectory, { recursive: true, force: true });
  });

  const recordsAt = (subdomain: string): Promise<readonly DnsRecord[]> =>
    ctx.deps.adapters.dns.listRecords({ name: `${subdomain}.${BASE_DOMAIN}` });

  /** Waits until the jobs have brought the records at `subdomain` to `count`. */
  async function expectRecords(subdomain: string, count: number): Promise<readonly DnsRecord[]> {
    return waitFor(
      async () => {
        const found = await recordsAt(subdomain);
        return found.length === count ? found : undefined;
      },
      10_000,
      `${String(count)} record(s) at ${subdomain}`,
    );
  }

  async function act(method: string, path: string, body?: unknown): Promise<void> {
    const response = await ctx.request(method, path, {
      token: owner.token,
      ...(body === undefined ? {} : { body }),
    });
    expect(response.status).toBeLessThan(300);
  }

  async function deployedSite(): Promise<DeployedSite> {
    const site = await deploySiteDirectly(ctx, owner);
    await act('POST', `/api/portfolios/${site.portfolioId}/publish`);
    await expectRecords(site.subdomain, 1);
    return site;
  }

  it('removes the record on unpublish and re-creates it on publish', async () => {
    const site = await deployedSite();
    const ownerKey = `portfolio=${site.portfolioId}`;

    await act('POST', `/api/portfolios/${site.portfolioId}/unpublish`);
    await expectRecords(site.subdomain, 0);
    await act('POST', `/api/portfolios/${site.portfolioId}/publish`);
    const [again] = await expectRecords(site.subdomain, 1);

    expect(again).toMatchObject({ type: 'CNAME', content: TARGET, owner: ownerKey });
  });

  it('moves the record when the subdomain is renamed', async () => {
    const site = await deployedSite();
    const renamed = `moved-${randomBytes(4).toString('hex')}`;

    await act('PATCH', `/api/portfolios/${site.portfolioId}`, { subdomain: renamed });

    await expectRecords(site.subdomain, 0);
    const [moved] = await expectRecords(renamed, 1);
    expect(moved).toMatchObject({ owner: `portfolio=${site.portfolioId}` });
  });

  it('removes the record when the portfolio is deleted', async () => {
    const site = await deployedSite();

    await act('DELETE', `/api/portfolios/${site.portfolioId}`);

    await expectRecords(site.subdomain, 0);
  });

  it('lets a late removal of a freed name leave the record its new holder owns', async () => {
    const first = await deployedSite();
    await act('PATCH', `/api/portfolios/${first.portfolioId}`, {
      subdomain: `away-${randomBytes(4).toString('hex')}`,
    });
    await expectRecords(first.subdomain, 0);
    const second = await deploySiteDirectly(ctx, owner);
    await act('PATCH', `/api/portfolios/${second.portfolioId}`, { subdomain: first.subdomain });
    await expectRecords(first.subdomain, 1);

    const late = await createSubdomainRecordSync({
      db: ctx.deps.database.db,
      siteRecords: ctx.deps.adapters.siteRecords,
    }).sync(first.portfolioId, first.subdomain);

    expect(late).toEqual({ action: 'removed', count: 0 });
    expect(await recordsAt(first.subdomain)).toEqual([
      expect.objectContaining({ owner: `portfolio=${second.portfolioId}` }),
    ]);
  });
});
