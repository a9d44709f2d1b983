import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLocalDns } from '../../../../src/integrations/dns/local-dns.ts';
import { createTestContext, type TestContext } from '../../../support/test-context.ts';
import {
  createDnsIntegration,
  describeDnsProviderContract,
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

describeDnsProviderContract('local (PostgreSQL)', createProvider);

describe(createLocalDns.name, () => {
  it('keeps one row per name and type in dns_records under concurrent upserts', async () => {
    const dns = createProvider();
    const name = `rows.${uniqueZone()}`;

    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        dns.upsertRecord({ type: 'CNAME', name, content: `t${String(i)}.example.net` }),
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
