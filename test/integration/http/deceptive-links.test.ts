import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseSnapshotContent } from '../../../src/features/deployments/deployment-validation.ts';
import { buildSite } from '../../../src/features/deployments/site-builder.ts';
import type { PortfolioBody, ProblemBody } from '../../support/api-bodies.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import { fetchBytes } from '../exports/export-test-support.ts';

// R-SEC-4 (issue 8, fault 15): a URL with credentials reads as one host and leads to another.
// New input refuses it; links stored before the rule lose their credentials when rendered.

const DECEPTIVE = 'https://trusted.example@evil.example/path';

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

describe('URL fields refuse credentials', () => {
  it.each([
    ['a link', { links: [{ label: 'Me', url: DECEPTIVE }] }, 'body.content.links.0.url'],
    [
      'the website',
      { profile: { name: 'Ada', website: 'https://user:secret@example.com/' } },
      'body.content.profile.website',
    ],
    [
      'an item image',
      {
        sections: [{ kind: 'projects', title: 'P', items: [{ title: 'X', imageUrl: DECEPTIVE }] }],
      },
      'body.content.sections.0.items.0.imageUrl',
    ],
  ])('answers 400 for credentials in %s', async (_what, content, field) => {
    const response = await ctx.request<ProblemBody>('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId, {
        content: { profile: { name: 'Ada' }, ...content },
      }),
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.map((issue) => issue.path)).toContain(field);
  });

  it('answers 400 for credentials in a webhook endpoint URL', async () => {
    const response = await ctx.request<ProblemBody>('POST', '/api/webhook-endpoints', {
      token: user.token,
      body: { url: 'https://hooks.example.com@evil.example/in', events: ['*'] },
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.map((issue) => issue.path)).toEqual(['url']);
  });
});

describe('stored links with credentials', () => {
  async function portfolioWithStoredDeceptiveLink(): Promise<PortfolioBody> {
    const created = await ctx.request<PortfolioBody>('POST', '/api/portfolios', {
      token: user.token,
      body: portfolioInput(templateId, {
        content: {
          profile: { name: 'Ada' },
          links: [{ label: 'Portfolio', url: 'https://evil.example/path' }],
        },
      }),
    });
    // As a row written before the rule existed would hold it.
    const stored = { profile: { name: 'Ada' }, links: [{ label: 'Portfolio', url: DECEPTIVE }] };
    await sql`UPDATE portfolios SET content = ${JSON.stringify(stored)}::jsonb
              WHERE id = ${created.body.id}`.execute(ctx.deps.database.db);
    await sql`UPDATE portfolio_versions SET content = ${JSON.stringify(stored)}::jsonb
              WHERE portfolio_id = ${created.body.id}`.execute(ctx.deps.database.db);
    return created.body;
  }

  it('are rendered into a site without the credentials', async () => {
    const portfolio = await portfolioWithStoredDeceptiveLink();
    const template = await ctx.deps.database.db
      .selectFrom('templates')
      .select(['slug', 'source', 'css'])
      .where('id', '=', templateId)
      .executeTakeFirstOrThrow();
    const snapshot = await ctx.deps.database.db
      .selectFrom('portfolio_versions')
      .select('content')
      .where('portfolio_id', '=', portfolio.id)
      .executeTakeFirstOrThrow();

    const site = await buildSite({
      portfolio: {
        id: portfolio.id,
        title: 'Ada',
        slug: portfolio.slug,
        content: parseSnapshotContent(snapshot.content),
      },
      template,
      siteUrl: 'http://ada.localhost:3000/',
      generatedAt: new Date('2026-01-01T00:00:00Z'),
    });
    const html = site.files.map((file) => file.body.toString('utf8')).join('\n');

    expect(html).toContain('https://evil.example/path');
    expect(html).not.toContain('trusted.example');
  });

  it('are rendered into a PDF without the credentials', async () => {
    const portfolio = await portfolioWithStoredDeceptiveLink();

    const response = await fetchBytes(
      ctx,
      `/api/portfolios/${portfolio.id}/export.pdf`,
      user.token,
    );
    const text = Buffer.from(response.bytes).toString('latin1');

    expect(response.status).toBe(200);
    expect(text).toContain('evil.example');
    expect(text).not.toContain('trusted.example');
  });
});
