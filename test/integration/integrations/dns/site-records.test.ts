import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLocalDns } from '../../../../src/integrations/dns/local-dns.ts';
import { createSiteRecords } from '../../../../src/integrations/dns/site-records.ts';
import { createIntegration } from '../../../../src/integrations/resilience/resilient-call.ts';
import { createTestContext, type TestContext } from '../../../support/test-context.ts';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});

afterAll(async () => {
  await ctx.close();
});

function siteRecords(target?: string) {
  const { call } = createIntegration(
    'dns',
    {
      breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
      retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 100 },
      timeoutMs: 5_000,
    },
    { logger: pino({ level: 'silent' }) },
  );
  const dns = createLocalDns({ db: ctx.deps.database.db, call });
  return { dns, sites: createSiteRecords({ dns, baseDomain: 'rolerabbit.test', target }) };
}

const JANE = '3f0c2a52-5a43-4b8e-9d43-0f4b8f1e2a11';
const SAM = '9b1d7c3e-2f4a-4c5b-8d6e-7f8091a2b3c4';

describe(createSiteRecords.name, () => {
  it('points a subdomain at the serving host, once, however often it runs', async () => {
    const { dns, sites } = siteRecords('edge.rolerabbit.test');

    const first = await sites.upsertSubdomain('jane', JANE);
    const again = await sites.upsertSubdomain('jane', JANE);

    expect(first).toMatchObject({
      type: 'CNAME',
      name: 'jane.rolerabbit.test',
      content: 'edge.rolerabbit.test',
      owner: `portfolio=${JANE}`,
    });
    expect(again.id).toBe(first.id);
    expect(await dns.listRecords({ name: 'jane.rolerabbit.test' })).toHaveLength(1);
  });

  it("defaults the target to the base domain and removes only the portfolio's record", async () => {
    const { dns, sites } = siteRecords();

    const record = await sites.upsertSubdomain('sam', SAM);
    const notJanes = await sites.removeSubdomain('sam', JANE);
    const removed = await sites.removeSubdomain('sam', SAM);
    const again = await sites.removeSubdomain('sam', SAM);

    expect(record.content).toBe('rolerabbit.test');
    expect([notJanes, removed, again]).toEqual([0, 1, 0]);
    expect(await dns.findRecord('CNAME', 'sam.rolerabbit.test')).toBeUndefined();
  });

  it('reads the portfolio back from an owner key, and nothing from any other', () => {
    const { sites } = siteRecords();

    expect(sites.portfolioOf(sites.ownerOf(JANE))).toBe(JANE);
    expect(sites.portfolioOf(null)).toBeUndefined();
    expect(sites.portfolioOf('portfolio=not-a-uuid')).toBeUndefined();
    expect(sites.portfolioOf(`user=${JANE}`)).toBeUndefined();
  });
});
