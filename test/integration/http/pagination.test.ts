import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PageBody, PortfolioBody, ProblemBody } from '../../support/api-bodies.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

const PORTFOLIO_COUNT = 25;

let ctx: TestContext;
let user: TestUser;

beforeAll(async () => {
  ctx = await createTestContext();
  user = await ctx.createUser();
  const templateId = await seededTemplateId(ctx, user);
  for (let index = 0; index < PORTFOLIO_COUNT; index += 1) {
    await ctx.request('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId, { title: `Portfolio ${String(index)}` }),
    });
  }
});

afterAll(async () => {
  await ctx.close();
});

const list = (query: string) =>
  ctx.request<PageBody<PortfolioBody>>('GET', `/api/portfolios${query}`, { token: user.token });

describe('pagination (R-PERF-5)', () => {
  it('defaults to page 1 of 20, newest first, with complete metadata', async () => {
    const response = await list('');

    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(20);
    expect(response.body.data[0]?.title).toBe(`Portfolio ${String(PORTFOLIO_COUNT - 1)}`);
    expect(response.body.pagination).toMatchObject({
      page: 1,
      limit: 20,
      total: PORTFOLIO_COUNT,
      totalPages: 2,
      hasNext: true,
      hasPrev: false,
    });
    expect(response.body.pagination.nextCursor).toEqual(expect.any(String));
  });

  it('serves the last page with hasNext false and hasPrev true', async () => {
    const response = await list('?page=3&limit=10');

    expect(response.body.data).toHaveLength(5);
    expect(response.body.pagination).toMatchObject({
      page: 3,
      totalPages: 3,
      hasNext: false,
      hasPrev: true,
      nextCursor: null,
    });
  });

  it('walks every row exactly once with keyset cursors', async () => {
    const seen: string[] = [];
    let response = await list('?limit=7');
    seen.push(...response.body.data.map((p) => p.id));
    while (response.body.pagination.nextCursor !== null) {
      response = await list(`?limit=7&cursor=${response.body.pagination.nextCursor}`);
      seen.push(...response.body.data.map((p) => p.id));
    }

    expect(seen).toHaveLength(PORTFOLIO_COUNT);
    expect(new Set(seen).size).toBe(PORTFOLIO_COUNT);
    expect(response.body.pagination).toEqual({ limit: 7, hasNext: false, nextCursor: null });
  });

  it('accepts the maximum limit of 100', async () => {
    const response = await list('?limit=100');

    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(PORTFOLIO_COUNT);
  });

  it.each([
    ['?limit=0', 'query.limit'],
    ['?limit=101', 'query.limit'],
    ['?limit=ten', 'query.limit'],
    ['?limit=2.5', 'query.limit'],
    ['?page=0', 'query.page'],
    ['?page=-1', 'query.page'],
    ['?page=abc', 'query.page'],
    ['?page=1&cursor=abc.def', 'query.cursor'],
  ])('answers %s with 400 naming %s', async (query, path) => {
    const response = await ctx.request<ProblemBody>('GET', `/api/portfolios${query}`, {
      token: user.token,
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.map((issue) => issue.path)).toContain(path);
  });

  it('refuses a tampered cursor, a forged one and garbage with 400', async () => {
    const first = await list('?limit=5');
    const cursor = first.body.pagination.nextCursor ?? '';
    const [payload = '', signature = ''] = cursor.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({
        createdAt: '2999-01-01T00:00:00.000Z',
        id: '00000000-0000-4000-8000-000000000000',
      }),
    ).toString('base64url');
    const flipped = `${payload.slice(0, -1)}${payload.endsWith('A') ? 'B' : 'A'}`;

    const answers = await Promise.all(
      [
        `${flipped}.${signature}`,
        `${forgedPayload}.${signature}`,
        'garbage',
        `${cursor}.extra`,
      ].map((bad) =>
        ctx.request<ProblemBody>('GET', `/api/portfolios?cursor=${encodeURIComponent(bad)}`, {
          token: user.token,
        }),
      ),
    );

    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('pagination.invalid_cursor');
    }
  });

  it("refuses a cursor issued for another list's key shape", async () => {
    const templates = await ctx.request<PageBody<unknown>>('GET', '/api/templates?limit=1', {
      token: user.token,
    });
    const templateCursor = templates.body.pagination.nextCursor ?? '';

    const response = await ctx.request<ProblemBody>(
      'GET',
      `/api/portfolios?cursor=${templateCursor}`,
      { token: user.token },
    );

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('pagination.invalid_cursor');
  });
});
