import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { down, up } from '../../../src/db/migrations/0009-add-dns-record-owner.ts';
import { createPortfolioHolding } from '../../support/deployment-factory.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});

afterAll(async () => {
  await ctx.close();
});

describe('migration 0009-add-dns-record-owner (R-SEC-2)', () => {
  it('gives existing site records the portfolio whose subdomain they carry, and nothing else', async () => {
    const db = ctx.deps.database.db;
    const asMigrated = db as unknown as Kysely<unknown>;
    await down(asMigrated);
    const live = await createPortfolioHolding(db, 'jane-live');
    const releasedFirst = await createPortfolioHolding(db, 'sam-gone');
    await db
      .updateTable('portfolios')
      .set({ deleted_at: new Date('2024-01-01T00:00:00Z') })
      .where('id', '=', releasedFirst)
      .execute();
    const releasedLast = await createPortfolioHolding(db, 'sam-gone');
    await db
      .updateTable('portfolios')
      .set({ deleted_at: new Date('2024-06-01T00:00:00Z') })
      .where('id', '=', releasedLast)
      .execute();
    const rows = [
      { type: 'CNAME', name: 'jane-live.rolerabbit.com', content: 'sites.rolerabbit.com' },
      { type: 'CNAME', name: 'sam-gone.rolerabbit.com', content: 'sites.rolerabbit.com' },
      { type: 'CNAME', name: 'careers.rolerabbit.com', content: 'jobs.example.org' },
      { type: 'TXT', name: 'jane-live.rolerabbit.com', content: 'operator-token' },
    ] as const;
    await db
      .insertInto('dns_records')
      .values(rows.map((row) => ({ ...row, ttl_seconds: 1, proxied: false })))
      .execute();

    await up(asMigrated);

    const owners = await db
      .selectFrom('dns_records')
      .select(['type', 'name', 'owner'])
      .where(
        'name',
        'in',
        rows.map((row) => row.name),
      )
      .orderBy('name')
      .orderBy('type')
      .execute();
    expect(owners).toEqual([
      { type: 'CNAME', name: 'careers.rolerabbit.com', owner: null },
      { type: 'CNAME', name: 'jane-live.rolerabbit.com', owner: `portfolio=${live}` },
      { type: 'TXT', name: 'jane-live.rolerabbit.com', owner: null },
      { type: 'CNAME', name: 'sam-gone.rolerabbit.com', owner: `portfolio=${releasedLast}` },
    ]);
  });
});
