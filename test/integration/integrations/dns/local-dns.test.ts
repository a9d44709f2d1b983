import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLocalDns } from '../../../../src/integrations/dns/local-dns.ts';
import { createTestContext, type TestContext } from '../../../support/test-context.ts';
import {
  createDnsIntegration,
  describeDnsProviderContract,
  OWNER,
  uniqueZone,
} from './dns-provider-contract.ts';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});

afterAll(async () => {
  await ctx.close();
});

function createProvider() {
  return createLocalDns({
    db: ctx.deps.database.db,
    call: createDnsIntegration().integration.call,
  });
}

describeDnsProviderContract('local (PostgreSQL)', {
  provider: createProvider,
  async seedForeign(record) {
    // A row without an owner: what an operator added by hand, or 0009 could not attribute.
    await ctx.deps.database.db
      .insertInto('dns_records')
      .values({
        ...record,
        type: record.type as 'A' | 'CNAME' | 'TXT',
        ttl_seconds: 1,
        proxied: false,
      })
      .execute();
  },
});

describe(createLocalDns.name, () => {
  it('keeps one row per name and type in dns_records under concurrent upserts', async () => {
    const dns = createProvider();
    const name = `rows.${uniqueZone()}`;

    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        dns.upsertRecord({
          owner: OWNER,
          type: 'CNAME',
          name,
          content: `t${String(i)}.example.net`,
        }),
      ),
    );

    const rows = await ctx.deps.database.db
      .selectFrom('dns_records')
      .select(['type', 'name'])
      .where('name', '=', name)
      .execute();
    expect(rows).toEqual([{ type: 'CNAME', name }]);
  });
});
