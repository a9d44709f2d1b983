import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PageBody, ProblemBody, TemplateBody } from '../../support/api-bodies.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

let ctx: TestContext;
let user: TestUser;

beforeAll(async () => {
  ctx = await createTestContext();
  user = await ctx.createUser();
});

afterAll(async () => {
  await ctx.close();
});

describe('routing and errors (R-PLAT-4)', () => {
  it('answers an unknown route with a 404 problem carrying the request id', async () => {
    const response = await ctx.request<ProblemBody>('GET', '/api/nothing-here', {
      token: user.token,
    });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      status: 404,
      code: 'route.not_found',
      type: 'urn:rolerabbit:problem:route.not_found',
      instance: '/api/nothing-here',
    });
    expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('answers a wrong method with 405 and the allowed methods', async () => {
    const response = await ctx.request<ProblemBody>('PUT', '/api/portfolios', {
      token: user.token,
      body: {},
    });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(response.body.code).toBe('route.method_not_allowed');
  });

  it('echoes a well-formed caller request id and replaces a malformed one', async () => {
    const kept = await ctx.request('GET', '/healthz', {
      headers: { 'x-request-id': 'trace-1234abcd' },
    });
    const replaced = await ctx.request('GET', '/healthz', {
      headers: { 'x-request-id': 'bad id with spaces <script>' },
    });

    expect(kept.headers.get('x-request-id')).toBe('trace-1234abcd');
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document built from the route schemas', async () => {
    const response = await ctx.request<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    }>('GET', '/openapi.json');

    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/portfolios',
        '/api/portfolios/{id}',
        '/api/portfolios/{id}/publish',
        '/api/portfolios/{id}/versions',
        '/api/portfolios/{id}/versions/{version}/restore',
        '/api/templates',
        '/api/templates/{idOrSlug}',
      ]),
    );
    expect(Object.keys(response.body.paths['/api/portfolios/{id}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'patch',
    ]);
  });

  it('serves the docs page and its assets without the network', async () => {
    const page = await ctx.request<string>('GET', '/docs');
    const bundle = await ctx.app.request('/docs/assets/swagger-ui-bundle.js');
    const missing = await ctx.app.request('/docs/assets/../../package.json');

    expect(page.status).toBe(200);
    expect(page.body).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect(missing.status).toBe(404);
  });
});

describe('templates (R-PLAT-1)', () => {
  it('lists the seeded templates by slug and filters by category', async () => {
    const all = await ctx.request<PageBody<TemplateBody>>('GET', '/api/templates', {
      token: user.token,
    });
    const creative = await ctx.request<PageBody<TemplateBody>>(
      'GET',
      '/api/templates?category=creative',
      { token: user.token },
    );

    expect(all.body.data.map((t) => t.slug)).toEqual([
      'creative-sunrise',
      'minimal-mono',
      'professional-slate',
    ]);
    expect(all.body.data[0]).not.toHaveProperty('source');
    expect(creative.body.data.map((t) => t.slug)).toEqual(['creative-sunrise']);
  });

  it('gets one template by slug or by id with its source and CSS', async () => {
    const bySlug = await ctx.request<TemplateBody>('GET', '/api/templates/minimal-mono', {
      token: user.token,
    });
    const byId = await ctx.request<TemplateBody>('GET', `/api/templates/${bySlug.body.id}`, {
      token: user.token,
    });
    const missing = await ctx.request<ProblemBody>('GET', '/api/templates/no-such-template', {
      token: user.token,
    });

    expect(bySlug.body.source).toContain('<!doctype html>');
    expect(byId.body.slug).toBe('minimal-mono');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('template.not_found');
  });

  it('hides a retired template from the list and refuses it for new portfolios', async () => {
    await ctx.deps.database.db
      .updateTable('templates')
      .set({ is_active: false })
      .where('slug', '=', 'professional-slate')
      .execute();
    const retired = await ctx.deps.database.db
      .selectFrom('templates')
      .select('id')
      .where('slug', '=', 'professional-slate')
      .executeTakeFirstOrThrow();

    const listed = await ctx.request<PageBody<TemplateBody>>('GET', '/api/templates', {
      token: user.token,
    });
    const created = await ctx.request<ProblemBody>('POST', '/api/portfolios', {
      token: user.token,
      body: { title: 'Late', templateId: retired.id, content: { profile: { name: 'A' } } },
    });

    expect(listed.body.data.map((t) => t.slug)).not.toContain('professional-slate');
    expect(created.status).toBe(400);
    expect(created.body.code).toBe('template.inactive');
  });
});
