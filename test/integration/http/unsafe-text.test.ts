import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PortfolioBody, ProblemBody } from '../../support/api-bodies.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

// R-SEC-4 (issue 8, fault 8): U+0000 and lone UTF-16 surrogates in any text input answer 400
// naming the field, never 500, and change nothing.

const NUL = '\u0000';
const LONE_HIGH = '\uD83D';
const LONE_LOW = '\uDE00';

let ctx: TestContext;
let user: TestUser;
let templateId: string;
let existing: PortfolioBody;

beforeAll(async () => {
  ctx = await createTestContext();
  user = await ctx.createUser();
  templateId = await seededTemplateId(ctx, user);
  const created = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
    token: user.token,
    body: portfolioInput(templateId, { title: 'Untouched' }),
  });
  existing = created.body;
});

afterAll(async () => {
  await ctx.close();
});

function expectFieldProblem(response: { status: number; body: unknown }, field: string): void {
  expect(response.status).toBe(400);
  const problem = response.body as ProblemBody;
  expect(problem.code).toBe('request.invalid');
  expect(problem.errors?.map((issue) => issue.path)).toContain(field);
}

describe('unsafe text in request bodies', () => {
  it.each([
    ['a NUL in the title', { title: `A${NUL}B` }, 'body.title'],
    ['a lone high surrogate in the title', { title: `A${LONE_HIGH}` }, 'body.title'],
    ['a lone low surrogate in the title', { title: `${LONE_LOW}A` }, 'body.title'],
  ])('refuses a portfolio with %s', async (_what, overrides, field) => {
    const response = await ctx.request('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId, overrides),
    });

    expectFieldProblem(response, field);
  });

  it('refuses a NUL or a lone surrogate deep inside content, naming the path', async () => {
    const content = {
      profile: { name: 'Ada', headline: `x${NUL}` },
      sections: [{ kind: 'about', title: 'About', body: `smile ${LONE_HIGH}` }],
    };

    const response = await ctx.request<ProblemBody>('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId, { content }),
    });

    expectFieldProblem(response, 'body.content.profile.headline');
    expectFieldProblem(response, 'body.content.sections.0.body');
  });

  it('refuses a NUL in an object key', async () => {
    const response = await ctx.request('PATCH', `/api/portfolios/${existing.id}`, {
      token: user.token,
      body: `{"title":"ok","x\\u0000y":1}`,
    });

    expect(response.status).toBe(400);
    expect((response.body as ProblemBody).errors?.[0]?.path).toBe('body.x\\u0000y');
  });

  it('keeps a well-formed astral character (a surrogate pair) as it is', async () => {
    const response = await ctx.request<PortfolioBody>('PATCH', `/api/portfolios/${existing.id}`, {
      token: user.token,
      body: { title: 'Rocket 🚀' },
    });

    expect(response.status).toBe(200);
    expect(response.body.title).toBe('Rocket 🚀');
  });

  it('leaves the portfolio unchanged after refused updates', async () => {
    const before = await ctx.request<PortfolioBody>('GET', `/api/portfolios/${existing.id}`, {
      token: user.token,
    });

    const refused = await Promise.all([
      ctx.request('PATCH', `/api/portfolios/${existing.id}`, {
        token: user.token,
        body: { title: `evil${NUL}` },
      }),
      ctx.request('PATCH', `/api/portfolios/${existing.id}`, {
        token: user.token,
        body: { content: { profile: { name: LONE_LOW } } },
      }),
    ]);
    const after = await ctx.request<PortfolioBody>('GET', `/api/portfolios/${existing.id}`, {
      token: user.token,
    });

    expect(refused.map((response) => response.status)).toEqual([400, 400]);
    expect(after.body).toEqual(before.body);
  });
});

describe('unsafe text in paths and queries', () => {
  it('refuses a NUL in a path segment (GET /api/templates/%00)', async () => {
    const response = await ctx.request('GET', '/api/templates/%00', { token: user.token });

    expectFieldProblem(response, 'path');
  });

  it('refuses an encoded lone surrogate in a path segment', async () => {
    const response = await ctx.request('GET', '/api/templates/%ED%A0%80', { token: user.token });

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('refuses a NUL in a query value, naming the parameter', async () => {
    const response = await ctx.request('GET', '/api/portfolios?cursor=abc%00def', {
      token: user.token,
    });

    expectFieldProblem(response, 'query.cursor');
  });

  it('refuses a NUL in the webhook endpoint description', async () => {
    const response = await ctx.request('POST', '/api/webhook-endpoints', {
      token: user.token,
      body: {
        url: 'https://hooks.example.com/in',
        events: ['deployment.succeeded'],
        description: `d${NUL}`,
      },
    });

    expectFieldProblem(response, 'body.description');
  });
});
