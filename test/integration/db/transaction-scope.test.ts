import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TransactionScopeError, withTransaction } from '../../../src/db/transaction-scope.ts';
import type { ProblemBody } from '../../support/api-bodies.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';

// R-SEC-1: no code takes a second pool connection or calls a vendor while it holds a
// transaction, and the database being busy answers 503, never 500.

describe('the transaction guard (on in every integration test)', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext();
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('is on by default outside production', () => {
    expect(ctx.config.postgres.guardTransactions).toBe(true);
  });

  it('refuses a pool checkout inside a transaction and rolls the transaction back', async () => {
    const db = ctx.deps.database.db;

    const attempt = withTransaction(db, async (trx) => {
      await sql`CREATE TEMPORARY TABLE guard_probe (id int) ON COMMIT DROP`.execute(trx);
      await sql`SELECT 1`.execute(db);
    });

    await expect(attempt).rejects.toBeInstanceOf(TransactionScopeError);
    await expect(attempt).rejects.toThrow(/second pool connection/);
  });

  it('refuses a vendor call inside a transaction before the vendor is reached', async () => {
    const db = ctx.deps.database.db;
    let reached = false;

    const attempt = withTransaction(db, () =>
      ctx.deps.integrations.get('storage').call('probe', () => {
        reached = true;
        return Promise.resolve('answered');
      }),
    );

    await expect(attempt).rejects.toThrow(/storage integration was called/);
    expect(reached).toBe(false);
  });

  it('leaves statements on the transaction and code after the commit alone', async () => {
    const db = ctx.deps.database.db;

    const inside = await withTransaction(db, async (trx) => {
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(trx);
      return rows[0]?.one;
    });
    const after = await sql<{ two: number }>`SELECT 2 AS two`.execute(db);

    expect(inside).toBe(1);
    expect(after.rows[0]?.two).toBe(2);
  });
});

describe('20 concurrent restores of one portfolio beside another user (R-SEC-1)', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    // The default pool of 4 and a short acquire timeout: a request that waited for it fails.
    ctx = await createTestContext({
      DATABASE_POOL_MAX: '4',
      DATABASE_CONNECTION_TIMEOUT_MS: '3000',
    });
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('answers every restore and every GET of the other user 200, none after the acquire timeout', async () => {
    const owner = await ctx.createUser();
    const other = await ctx.createUser();
    const templateId = await seededTemplateId(ctx, owner);
    const created = await ctx.request<{ id: string }>('POST', '/api/portfolios', {
      token: owner.token,
      body: portfolioInput(templateId, { title: 'Version 1' }),
    });
    const id = created.body.id;
    for (let version = 2; version <= 21; version += 1) {
      const updated = await ctx.request('PATCH', `/api/portfolios/${id}`, {
        token: owner.token,
        body: { title: `Version ${String(version)}` },
      });
      expect(updated.status).toBe(200);
    }
    const othersPortfolio = await ctx.request<{ id: string }>('POST', '/api/portfolios', {
      token: other.token,
      body: portfolioInput(templateId),
    });
    const timed = async (run: () => Promise<{ status: number }>) => {
      const startedAt = performance.now();
      const { status } = await run();
      return { status, ms: performance.now() - startedAt };
    };

    const restores = Array.from({ length: 20 }, (_, index) =>
      timed(() =>
        ctx.request('POST', `/api/portfolios/${id}/versions/${String(index + 1)}/restore`, {
          token: owner.token,
        }),
      ),
    );
    const reads = Array.from({ length: 20 }, () =>
      timed(() =>
        ctx.request('GET', `/api/portfolios/${othersPortfolio.body.id}`, { token: other.token }),
      ),
    );
    const results = await Promise.all([...restores, ...reads]);

    expect(results.map((result) => result.status)).toEqual(Array<number>(40).fill(200));
    // Generous: the acquire timeout is 3 s; a request that waited for it would take longer.
    expect(Math.max(...results.map((result) => result.ms))).toBeLessThan(3_000);
    const final = await ctx.request<{ version: number }>('GET', `/api/portfolios/${id}`, {
      token: owner.token,
    });
    expect(final.body.version).toBe(41);
  });
});

describe('a busy database answers 503 problem+json with Retry-After (R-SEC-1)', () => {
  let ctx: TestContext;
  let blocker: pg.Client;

  beforeAll(async () => {
    ctx = await createTestContext({
      DATABASE_POOL_MAX: '1',
      DATABASE_CONNECTION_TIMEOUT_MS: '300',
      DATABASE_STATEMENT_TIMEOUT_MS: '500',
    });
    blocker = new pg.Client({ connectionString: ctx.config.postgres.url });
    await blocker.connect();
  });

  afterAll(async () => {
    await blocker.end();
    await ctx.close();
  });

  it('answers 503 when no pool connection frees up within the acquire timeout', async () => {
    const user = await ctx.createUser();
    const templateId = await seededTemplateId(ctx, user);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding = withTransaction(ctx.deps.database.db, () => held);

    const response = await ctx.request<ProblemBody>('GET', `/api/templates/${templateId}`, {
      token: user.token,
    });
    release();
    await holding;

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.body.code).toBe('database.busy');
    const metrics = await ctx.deps.metrics.getSingleMetricAsString('rolerabbit_db_timeouts_total');
    expect(metrics).toMatch(/kind="pool"[^\n]* 1\n?/);
  });

  it('answers 503 when a statement outlives the statement timeout', async () => {
    const user = await ctx.createUser();
    const templateId = await seededTemplateId(ctx, user);
    const created = await ctx.request<{ id: string }>('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId),
    });
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM portfolios WHERE id = $1 FOR UPDATE', [created.body.id]);

    const response = await ctx.request<ProblemBody>('PATCH', `/api/portfolios/${created.body.id}`, {
      token: user.token,
      body: { title: 'Blocked' },
    });
    await blocker.query('ROLLBACK');

    expect(response.status).toBe(503);
    expect(response.body.code).toBe('database.busy');
    expect(response.headers.get('retry-after')).toBe('1');
  });
});
