import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PortfolioBody, ProblemBody } from '../../support/api-bodies.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

let ctx: TestContext;
let user: TestUser;
let templateId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  user = await ctx.createUser();
  templateId = await seededTemplateId(ctx, user);
});

afterAll(async () => {
  await ctx.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  ctx.request<ProblemBody>('POST', '/api/portfolios', { token: user.token, body, headers });

async function countPortfolios(): Promise<number> {
  const { count } = await ctx.deps.database.db
    .selectFrom('portfolios')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('owner_id', '=', user.id)
    .executeTakeFirstOrThrow();
  return Number(count);
}

describe('request validation (R-PLAT-4)', () => {
  it('lists every invalid field of a body in one 400 problem', async () => {
    const response = await post({ title: '', templateId: 'nope', content: { profile: {} } });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.code).toBe('request.invalid');
    expect(response.body.errors?.map((issue) => issue.path).sort()).toEqual([
      'body.content.profile.name',
      'body.templateId',
      'body.title',
    ]);
  });

  it.each([
    ['a javascript: link', { links: [{ label: 'x', url: 'javascript:alert(1)' }] }],
    ['a data: avatar', { profile: { name: 'A', avatarUrl: 'data:text/html,<b>x</b>' } }],
    ['an unknown section kind', { sections: [{ kind: 'music', title: 'Songs' }] }],
    [
      '31 sections',
      { sections: Array.from({ length: 31 }, () => ({ kind: 'about', title: 'x' })) },
    ],
  ])('refuses content with %s', async (_label, contentPatch) => {
    const body = portfolioInput(templateId);
    const content = { ...body.content, ...contentPatch };

    const response = await post({ ...body, content });

    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.path).toMatch(/^body\.content\./);
  });

  it('refuses content over the size limit although the body is under the HTTP limit', async () => {
    const long = 'x'.repeat(9_000);
    const items = Array.from({ length: 40 }, () => ({
      title: 'Item',
      description: long.slice(0, 4_900),
    }));
    const sections = Array.from({ length: 2 }, () => ({ kind: 'projects', title: 'P', items }));

    const response = await post(
      portfolioInput(templateId, { content: { profile: { name: 'A' }, sections } }),
    );

    expect(response.status).toBe(400);
    expect(response.body.errors?.some((issue) => issue.message.includes('bytes'))).toBe(true);
  });

  it('refuses unknown fields instead of silently dropping them', async () => {
    const response = await post({ ...portfolioInput(templateId), ownerId: 'someone-else' });

    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.path).toBe('body');
  });

  it('refuses an update with nothing to change', async () => {
    const created = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId),
    });

    const response = await ctx.request<ProblemBody>('PATCH', `/api/portfolios/${created.body.id}`, {
      token: user.token,
      body: { expectedVersion: 1 },
    });

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('request.invalid');
  });

  it('refuses a template that does not exist with a field error', async () => {
    const response = await post(
      portfolioInput('00000000-0000-4000-8000-000000000000', { title: 'No template' }),
    );

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('template.not_found');
    expect(response.body.errors?.[0]?.path).toBe('templateId');
  });

  it('answers malformed JSON with 400, a missing media type with 415, a huge body with 413', async () => {
    const before = await countPortfolios();

    const malformed = await post('{"title": ', { 'content-type': 'application/json' });
    const wrongType = await post(JSON.stringify(portfolioInput(templateId)), {
      'content-type': 'text/plain',
    });
    const huge = await post('x'.repeat(ctx.config.http.bodyLimitBytes + 1));

    expect([malformed.status, wrongType.status, huge.status]).toEqual([400, 415, 413]);
    expect(malformed.body.code).toBe('request.malformed_json');
    expect(wrongType.body.code).toBe('request.unsupported_media_type');
    expect(huge.body.code).toBe('request.too_large');
    expect(await countPortfolios()).toBe(before);
  });

  it('answers a malformed path id with 400, not 500', async () => {
    const response = await ctx.request<ProblemBody>('GET', '/api/portfolios/not-a-uuid', {
      token: user.token,
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.path).toBe('param.id');
  });
});

describe('subdomain rules', () => {
  it.each([
    ['ab', 'must be 3-63 characters'],
    ['a'.repeat(64), 'must be 3-63 characters'],
    ['MyName', 'must be lower-case'],
    ['-name', 'may contain only'],
    ['my_name', 'may contain only'],
    ['xn--bcher-kva', 'hyphens in the third and fourth'],
    ['www', 'is reserved'],
    ['admin', 'is reserved'],
  ])('refuses %j (%s)', async (subdomain, message) => {
    const response = await post(portfolioInput(templateId, { subdomain }));

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('portfolio.subdomain_invalid');
    expect(response.body.errors?.[0]?.message).toContain(message);
  });

  it('keeps a subdomain unique across users and frees it when the portfolio is deleted', async () => {
    const other = await ctx.createUser();
    const first = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId, { title: 'Claims it', subdomain: 'jane-doe' }),
    });

    const taken = await ctx.request<ProblemBody>('POST', '/api/portfolios', {
      token: other.token,
      body: portfolioInput(templateId, { subdomain: 'jane-doe' }),
    });
    await ctx.request('DELETE', `/api/portfolios/${first.body.id}`, { token: user.token });
    const freed = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
      token: other.token,
      body: portfolioInput(templateId, { subdomain: 'jane-doe' }),
    });

    expect(first.status).toBe(201);
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('portfolio.subdomain_taken');
    expect(freed.status).toBe(201);
    expect(freed.body.subdomain).toBe('jane-doe');
  });

  it('applies the same rules when a subdomain is changed, and allows clearing it', async () => {
    const created = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId, { subdomain: 'clear-me' }),
    });

    const reserved = await ctx.request<ProblemBody>('PATCH', `/api/portfolios/${created.body.id}`, {
      token: user.token,
      body: { subdomain: 'api' },
    });
    const cleared = await ctx.request<PortfolioBody>(
      'PATCH',
      `/api/portfolios/${created.body.id}`,
      {
        token: user.token,
        body: { subdomain: null },
      },
    );

    expect(reserved.status).toBe(400);
    expect(cleared.status).toBe(200);
    expect(cleared.body.subdomain).toBeNull();
  });
});
