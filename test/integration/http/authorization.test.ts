import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PortfolioBody, ProblemBody } from '../../support/api-bodies.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

let ctx: TestContext;
let alice: TestUser;
let bob: TestUser;
let alicePortfolio: PortfolioBody;

beforeAll(async () => {
  ctx = await createTestContext();
  alice = await ctx.createUser();
  bob = await ctx.createUser();
  const templateId = await seededTemplateId(ctx, alice);
  const created = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
    token: alice.token,
    body: portfolioInput(templateId, { title: 'Alice private work' }),
  });
  alicePortfolio = created.body;
});

afterAll(async () => {
  await ctx.close();
});

/** Every route that takes a portfolio id, with a body where it needs one. */
function routesOn(id: string): [method: string, path: string, body?: unknown][] {
  return [
    ['GET', `/api/portfolios/${id}`],
    ['PATCH', `/api/portfolios/${id}`, { title: 'Taken over' }],
    ['DELETE', `/api/portfolios/${id}`],
    ['POST', `/api/portfolios/${id}/publish`],
    ['POST', `/api/portfolios/${id}/unpublish`],
    ['GET', `/api/portfolios/${id}/versions`],
    ['GET', `/api/portfolios/${id}/versions/1`],
    ['POST', `/api/portfolios/${id}/versions/1/restore`],
  ];
}

describe('authorization matrix (R-PLAT-2)', () => {
  it.each(routesOn('__ID__'))(
    "gives another user 404 on %s %s of someone else's portfolio",
    async (method, template, body) => {
      const path = template.replace('__ID__', alicePortfolio.id);

      const response = await ctx.request<ProblemBody>(method, path, { token: bob.token, body });

      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body.code).toMatch(/not_found$/);
    },
  );

  it("answers the same 404 for a stranger's id as for an id that does not exist", async () => {
    const theirs = await ctx.request<ProblemBody>('GET', `/api/portfolios/${alicePortfolio.id}`, {
      token: bob.token,
    });
    const nobody = await ctx.request<ProblemBody>(
      'GET',
      '/api/portfolios/00000000-0000-4000-8000-000000000000',
      { token: bob.token },
    );

    expect(theirs.body.code).toBe(nobody.body.code);
    expect(theirs.body.detail).toBe(nobody.body.detail);
  });

  it("leaves the owner's portfolio untouched after the other user's attempts", async () => {
    const response = await ctx.request<PortfolioBody>(
      'GET',
      `/api/portfolios/${alicePortfolio.id}`,
      { token: alice.token },
    );

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      title: 'Alice private work',
      version: 1,
      isPublished: false,
    });
  });

  it("does not list one user's portfolios to another", async () => {
    const response = await ctx.request<{ data: PortfolioBody[] }>('GET', '/api/portfolios', {
      token: bob.token,
    });

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([]);
  });

  it.each([
    ...routesOn('__ID__'),
    ['GET', '/api/portfolios'],
    ['POST', '/api/portfolios', {}],
    ['GET', '/api/templates'],
    ['GET', '/api/me'],
  ] as [string, string, unknown?][])(
    'answers 401 without a token on %s %s',
    async (method, template, body) => {
      const response = await ctx.request<ProblemBody>(
        method,
        template.replace('__ID__', alicePortfolio.id),
        { body },
      );

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.body.code).toBe('auth.missing_token');
    },
  );

  it('rejects a token signed with another secret, an expired token and a non-bearer scheme', async () => {
    const key = (secret: string) => new TextEncoder().encode(secret);
    const forged = await new SignJWT({ email: 'mallory@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(alice.id)
      .setExpirationTime('1h')
      .sign(key('not-the-secret-not-the-secret-not-the-secret'));
    const expired = await new SignJWT({ email: alice.email })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(alice.id)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key(ctx.config.auth.jwtSecret ?? ''));

    const answers = await Promise.all([
      ctx.request<ProblemBody>('GET', '/api/portfolios', { token: forged }),
      ctx.request<ProblemBody>('GET', '/api/portfolios', { token: expired }),
      ctx.request<ProblemBody>('GET', '/api/portfolios', {
        headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      }),
    ]);

    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('auth.invalid_token');
    }
  });

  it('records the user from the token claims and recognises the configured admin role', async () => {
    const admin = await ctx.createUser({ role: ctx.config.auth.adminRole });

    const adminMe = await ctx.request<{ isAdmin: boolean }>('GET', '/api/me', {
      token: admin.token,
    });
    const userMe = await ctx.request<{ isAdmin: boolean; email: string }>('GET', '/api/me', {
      token: alice.token,
    });

    expect(adminMe.body.isAdmin).toBe(true);
    expect(userMe.body).toMatchObject({ isAdmin: false, email: alice.email });
    const row = await ctx.deps.database.db
      .selectFrom('users')
      .select(['email'])
      .where('id', '=', admin.id)
      .executeTakeFirst();
    expect(row?.email).toBe(admin.email);
  });
});
