import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { adoptSiteRecords } from '../../../src/features/sites/adopt-site-records.ts';
import { createPortfolioHolding } from '../../support/deployment-factory.ts';
import { startCloudflareApi } from '../../support/stand-ins/cloudflare-api.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';

const BASE_DOMAIN = 'rolerabbit.test';
const TARGET = 'sites.rolerabbit.test';

interface UnmarkedRecord {
  readonly type: 'CNAME' | 'A';
  readonly name: string;
  readonly content: string;
}

interface Backend {
  readonly name: string;
  readonly start: () => Promise<{
    readonly env: Record<string, string>;
    readonly seedUnmarked: (ctx: TestContext, record: UnmarkedRecord) => Promise<void>;
    readonly stop: () => Promise<void>;
  }>;
}

const BACKENDS: readonly Backend[] = [
  {
    name: 'local',
    start: () =>
      Promise.resolve({
        env: {},
        async seedUnmarked(ctx, record) {
          await ctx.deps.database.db
            .insertInto('dns_records')
            .values({ ...record, ttl_seconds: 1, proxied: false })
            .execute();
        },
        stop: () => Promise.resolve(),
      }),
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
        seedUnmarked(_ctx, record) {
          api.seed([record]);
          return Promise.resolve();
        },
        stop: () => api.close(),
      };
    },
  },
];

describe.each(BACKENDS)('dns adopt ($name adapter, R-SEC-2)', (backend) => {
  let ctx: TestContext;
  let seedUnmarked: (ctx: TestContext, record: UnmarkedRecord) => Promise<void>;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    const started = await backend.start();
    seedUnmarked = started.seedUnmarked;
    stopBackend = started.stop;
    ctx = await createTestContext({
      ...started.env,
      BASE_DOMAIN,
      DNS_SITE_TARGET: TARGET,
      RETRY_COUNT: '0',
    });
  });

  afterAll(async () => {
    await ctx.close();
    await stopBackend();
  });

  const label = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
  const host = (subdomain: string) => `${subdomain}.${BASE_DOMAIN}`;
  const adopt = (apply: boolean) =>
    adoptSiteRecords(
      {
        db: ctx.deps.database.db,
        dns: ctx.deps.adapters.dns,
        siteRecords: ctx.deps.adapters.siteRecords,
      },
      { apply },
    );
  const ownerAt = async (subdomain: string) =>
    (await ctx.deps.adapters.dns.listRecords({ name: host(subdomain) })).map((r) => r.owner);

  it("marks only unmarked CNAMEs at a current portfolio's host that point at the target", async () => {
    const ours = label('ours');
    const elsewhere = label('elsewhere');
    const orphan = label('orphan');
    const address = label('address');
    const portfolio = await createPortfolioHolding(ctx.deps.database.db, ours);
    await createPortfolioHolding(ctx.deps.database.db, elsewhere);
    await createPortfolioHolding(ctx.deps.database.db, address);
    await seedUnmarked(ctx, { type: 'CNAME', name: host(ours), content: TARGET });
    await seedUnmarked(ctx, { type: 'CNAME', name: host(elsewhere), content: 'jobs.example.org' });
    await seedUnmarked(ctx, { type: 'CNAME', name: host(orphan), content: TARGET });
    await seedUnmarked(ctx, { type: 'A', name: host(address), content: '192.0.2.10' });

    const dryRun = await adopt(false);
    const ownersAfterDryRun = await ownerAt(ours);
    const applied = await adopt(true);
    const again = await adopt(true);

    expect(dryRun.adopted.map((entry) => entry.record.name)).toContain(host(ours));
    expect(dryRun.ignored.map((entry) => entry.record.name)).toContain(host(elsewhere));
    expect(ownersAfterDryRun).toEqual([null]);
    expect(applied.adopted).toContainEqual(
      expect.objectContaining({ portfolioId: portfolio }) as unknown,
    );
    expect(await ownerAt(ours)).toEqual([`portfolio=${portfolio}`]);
    expect(await ownerAt(elsewhere)).toEqual([null]);
    expect(await ownerAt(orphan)).toEqual([null]);
    expect(await ownerAt(address)).toEqual([null]);
    expect(again.adopted.map((entry) => entry.record.name)).not.toContain(host(ours));
  });

  it('lets the portfolio update its record once adopted', async () => {
    const subdomain = label('adopted');
    const portfolio = await createPortfolioHolding(ctx.deps.database.db, subdomain);
    await seedUnmarked(ctx, { type: 'CNAME', name: host(subdomain), content: TARGET });
    await expect(
      ctx.deps.adapters.siteRecords.upsertSubdomain(subdomain, portfolio),
    ).rejects.toMatchObject({ code: 'dns.record_conflict' });

    await adopt(true);
    const record = await ctx.deps.adapters.siteRecords.upsertSubdomain(subdomain, portfolio);

    expect(record).toMatchObject({ name: host(subdomain), owner: `portfolio=${portfolio}` });
    expect(await ownerAt(subdomain)).toHaveLength(1);
  });
});
