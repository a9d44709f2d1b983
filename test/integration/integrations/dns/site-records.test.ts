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

describe(createSiteRecords.name, () => {
  it('points a subdomain at the serving host, once, however often it runs', async () => {
    const { dns, sites } = siteRecords('edge.rolerabbit.test');

    const first = await sites.upsertSubdomain('jane');
    const again = await sites.upsertSubdomain('jane');

    expect(first).toMatchObject({
      type: 'CNAME',
      name: 'jane.rolerabbit.test',
      content: 'edge.rolerabbit.test',
    });
    expect(again.id).toBe(first.id);
    expect(await dns.listRecords({ name: 'jane.rolerabbit.test' })).toHaveLength(1);
  });

  it('defaults the target to the base domain and removes records idempotently', async () => {
    const { dns, sites } = siteRecords();

    const record = await sites.upsertSubdomain('sam');
    await sites.removeSubdomain('sam');
    await sites.removeSubdomain('sam');

    expect(record.content).toBe('rolerabbit.test');
    expect(await dns.findRecord('CNAME', 'sam.rolerabbit.test')).toBeUndefined();
  });
});
