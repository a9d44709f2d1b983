import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type {
  PageBody,
  PortfolioBody,
  ProblemBody,
  VersionBody,
} from '../../support/api-bodies.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

let ctx: TestContext;
let owner: TestUser;
let templateId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  owner = await ctx.createUser();
  templateId = await seededTemplateId(ctx, owner);
});

afterAll(async () => {
  await ctx.close();
});

async function createPortfolio(overrides: Record<string, unknown> = {}) {
  const response = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
    token: owner.token,
    body: portfolioInput(templateId, overrides),
  });
  expect(response.status).toBe(201);
  return response.body;
}

describe('portfolio lifecycle (R-PLAT-1)', () => {
  it('creates a portfolio at version 1 with a Location header and a derived slug', async () => {
    const response = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
      token: owner.token,
      body: portfolioInput(templateId, { title: 'Café Déjà Vu!' }),
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/api/portfolios/${response.body.id}`);
    expect(response.body).toMatchObject({
      title: 'Café Déjà Vu!',
      slug: 'cafe-deja-vu',
      version: 1,
      visibility: 'private',
      isPublished: false,
    });
    const versions = await ctx.request<PageBody<VersionBody>>(
      'GET',
      `/api/portfolios/${response.body.id}/versions`,
      { token: owner.token },
    );
    expect(versions.body.data.map((v) => v.version)).toEqual([1]);
  });

  it('records every update as a new version in the same transaction', async () => {
    const created = await createPortfolio({ title: 'Versioned' });

    const updated = await ctx.request<PortfolioBody>('PATCH', `/api/portfolios/${created.id}`, {
      token: owner.token,
      body: { title: 'Versioned, edited', content: { profile: { name: 'Jane Q. Doe' } } },
    });

    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    expect(updated.body.content.profile.name).toBe('Jane Q. Doe');
    const rows = await ctx.deps.database.db
      .selectFrom('portfolio_versions')
      .select(['version', 'title', 'author_id'])
      .where('portfolio_id', '=', created.id)
      .orderBy('version')
      .execute();
    expect(rows).toEqual([
      { version: 1, title: 'Versioned', author_id: owner.id },
      { version: 2, title: 'Versioned, edited', author_id: owner.id },
    ]);
  });

  it('restores an old version as a new latest version, keeping history', async () => {
    const created = await createPortfolio({ title: 'Original' });
    await ctx.request('PATCH', `/api/portfolios/${created.id}`, {
      token: owner.token,
      body: { title: 'Changed', content: { profile: { name: 'Someone Else' } } },
    });

    const restored = await ctx.request<PortfolioBody>(
      'POST',
      `/api/portfolios/${created.id}/versions/1/restore`,
      { token: owner.token },
    );

    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ title: 'Original', version: 3 });
    expect(restored.body.content.profile.name).toBe('Jane Doe');
    const versions = await ctx.request<PageBody<VersionBody>>(
      'GET',
      `/api/portfolios/${created.id}/versions`,
      { token: owner.token },
    );
    expect(versions.body.data.map((v) => [v.version, v.title])).toEqual([
      [3, 'Original'],
      [2, 'Changed'],
      [1, 'Original'],
    ]);
    const version2 = await ctx.request<VersionBody>(
      'GET',
      `/api/portfolios/${created.id}/versions/2`,
      { token: owner.token },
    );
    expect(version2.body.content?.profile.name).toBe('Someone Else');
  });

  it('answers 404 for a version that does not exist', async () => {
    const created = await createPortfolio({ title: 'Few versions' });

    const missing = await ctx.request<ProblemBody>(
      'POST',
      `/api/portfolios/${created.id}/versions/9/restore`,
      { token: owner.token },
    );

    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('portfolio.version_not_found');
  });

  it('refuses an update whose expectedVersion is stale with 409 and changes nothing', async () => {
    const created = await createPortfolio({ title: 'Concurrent' });
    await ctx.request('PATCH', `/api/portfolios/${created.id}`, {
      token: owner.token,
      body: { title: 'First writer' },
    });

    const stale = await ctx.request<ProblemBody>('PATCH', `/api/portfolios/${created.id}`, {
      token: owner.token,
      body: { title: 'Second writer', expectedVersion: 1 },
    });

    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('portfolio.version_conflict');
    const current = await ctx.request<PortfolioBody>('GET', `/api/portfolios/${created.id}`, {
      token: owner.token,
    });
    expect(current.body).toMatchObject({ title: 'First writer', version: 2 });
  });

  it('publishes and unpublishes, keeping the first publication time', async () => {
    const created = await createPortfolio({ title: 'Publishable' });

    const first = await ctx.request<PortfolioBody>(
      'POST',
      `/api/portfolios/${created.id}/publish`,
      { token: owner.token },
    );
    const again = await ctx.request<PortfolioBody>(
      'POST',
      `/api/portfolios/${created.id}/publish`,
      { token: owner.token },
    );
    const withdrawn = await ctx.request<PortfolioBody>(
      'POST',
      `/api/portfolios/${created.id}/unpublish`,
      { token: owner.token },
    );

    expect(first.body.isPublished).toBe(true);
    expect(first.body.publishedAt).not.toBeNull();
    expect(again.body.publishedAt).toBe(first.body.publishedAt);
    expect(withdrawn.body).toMatchObject({ isPublished: false, publishedAt: null });
  });

  it('deletes softly: the portfolio disappears and its slug becomes free', async () => {
    const created = await createPortfolio({ title: 'Short lived', slug: 'short-lived' });

    const deleted = await ctx.request('DELETE', `/api/portfolios/${created.id}`, {
      token: owner.token,
    });
    const afterwards = await ctx.request('GET', `/api/portfolios/${created.id}`, {
      token: owner.token,
    });
    const deletedAgain = await ctx.request('DELETE', `/api/portfolios/${created.id}`, {
      token: owner.token,
    });
    const reused = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
      token: owner.token,
      body: portfolioInput(templateId, { title: 'Second life', slug: 'short-lived' }),
    });

    expect(deleted.status).toBe(204);
    expect(afterwards.status).toBe(404);
    expect(deletedAgain.status).toBe(404);
    expect(reused.status).toBe(201);
    const row = await ctx.deps.database.db
      .selectFrom('portfolios')
      .select(['deleted_at'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeInstanceOf(Date);
  });

  it('answers 409 when the owner reuses an explicit slug, and suffixes a derived one', async () => {
    await createPortfolio({ title: 'Same Title', slug: 'same-title' });

    const explicit = await ctx.request<ProblemBody>('POST', '/api/portfolios', {
      token: owner.token,
      body: portfolioInput(templateId, { title: 'Other', slug: 'same-title' }),
    });
    const derived = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
      token: owner.token,
      body: portfolioInput(templateId, { title: 'Same Title' }),
    });

    expect(explicit.status).toBe(409);
    expect(explicit.body.code).toBe('portfolio.slug_taken');
    expect(derived.status).toBe(201);
    expect(derived.body.slug).toMatch(/^same-title-[0-9a-f]{6}$/);
  });
});
