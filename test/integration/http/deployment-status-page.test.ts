import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDeploymentPageLink } from '../../../src/features/deployments/deployment-links.ts';
import { createDeploymentPageLinkOf } from '../../../src/wiring/create-job-handler-deps.ts';
import type { ProblemBody } from '../../support/api-bodies.ts';
import { createPortfolio, insertFinished, SITE_ENV } from '../../support/deployment-api.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

// Issue 8, fault 7: mail links a person can open. Without EDITOR_URL a mail links to a signed,
// expiring, read-only status page; with it, to the editor's page of the deployment.

let ctx: TestContext;
let owner: TestUser;
let templateId: string;

beforeAll(async () => {
  ctx = await createTestContext(SITE_ENV);
  owner = await ctx.createUser();
  templateId = await seededTemplateId(ctx, owner);
});

afterAll(async () => {
  await ctx.close();
});

async function failedDeployment(title = 'Ada <script>alert(1)</script>') {
  const created = await ctx.request<{ id: string; subdomain: string }>('POST', '/api/portfolios', {
    token: owner.token,
    body: portfolioInput(templateId, { title, subdomain: `st-${String(Date.now() % 1e8)}` }),
  });
  const deploymentId = await insertFinished(ctx, {
    portfolioId: created.body.id,
    requestedBy: owner.id,
    status: 'FAILED',
    queuedAt: new Date().toISOString(),
    subdomain: created.body.subdomain,
  });
  return { portfolioId: created.body.id, deploymentId };
}

const pathOf = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

describe('the signed status page', () => {
  it('shows the deployment read-only, escaped, with the public reason and no caching', async () => {
    const ids = await failedDeployment();
    // As an older row holds it: vendor text, which the page must not show.
    await sql`UPDATE deployments SET error_message = 'PUT http://10.0.4.7:9000/portfolios: 500'
              WHERE id = ${ids.deploymentId}`.execute(ctx.deps.database.db);
    const link = createDeploymentPageLinkOf(ctx.config)(ids);

    const response = await ctx.app.request(pathOf(link));
    const html = await response.text();

    expect(link.startsWith(`${ctx.config.http.publicUrl}/status/deployments/`)).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('Ada &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('The file storage service is unavailable right now.');
    expect(html).not.toContain('10.0.4.7');
  });

  it('answers 403 for a tampered signature or a signature of another deployment', async () => {
    const first = await failedDeployment('First');
    const second = await failedDeployment('Second');
    const link = new URL(createDeploymentPageLinkOf(ctx.config)(first));
    const tampered = new URL(link);
    tampered.searchParams.set('signature', `${link.searchParams.get('signature') ?? ''}x`);
    const moved = new URL(link);
    moved.pathname = `/status/deployments/${second.deploymentId}`;

    const answers = await Promise.all(
      [tampered, moved].map((url) => ctx.request<ProblemBody>('GET', pathOf(url.href))),
    );

    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('link.invalid');
    }
  });

  it('answers 410 once the link has expired', async () => {
    const ids = await failedDeployment();
    const aWeekAgo = Date.now() - 8 * 24 * 60 * 60 * 1000;
    const link = createDeploymentPageLink({
      editorUrl: undefined,
      editorDeploymentPath: ctx.config.links.editorDeploymentPath,
      publicUrl: ctx.config.http.publicUrl,
      signingSecret: ctx.config.signing.secret,
      statusLinkTtlSeconds: ctx.config.links.statusLinkTtlSeconds,
      now: () => aWeekAgo,
    })(ids);

    const response = await ctx.request<ProblemBody>('GET', pathOf(link));

    expect(response.status).toBe(410);
    expect(response.body.code).toBe('link.expired');
  });

  it('answers 400 for a malformed link and 404 once the portfolio is deleted', async () => {
    const ids = await failedDeployment();
    const link = createDeploymentPageLinkOf(ctx.config)(ids);
    await ctx.request('DELETE', `/api/portfolios/${ids.portfolioId}`, { token: owner.token });

    const malformed = await ctx.request<ProblemBody>(
      'GET',
      `/status/deployments/${ids.deploymentId}?expires=soon&signature=x`,
    );
    const gone = await ctx.request<ProblemBody>('GET', pathOf(link));

    expect(malformed.status).toBe(400);
    expect(gone.status).toBe(404);
  });
});

describe('with EDITOR_URL set', () => {
  it("links to the editor's page of the deployment", async () => {
    const withEditor = await createTestContext({
      ...SITE_ENV,
      EDITOR_URL: 'https://app.rolerabbit.example/',
    });
    try {
      const user = await withEditor.createUser();
      const portfolio = await createPortfolio(withEditor, user, templateId);

      const link = createDeploymentPageLinkOf(withEditor.config)({
        portfolioId: portfolio.id,
        deploymentId: '7d8a4c5e-0000-4000-8000-000000000001',
      });

      expect(link).toBe(
        `https://app.rolerabbit.example/portfolios/${portfolio.id}/deployments/7d8a4c5e-0000-4000-8000-000000000001`,
      );
    } finally {
      await withEditor.close();
    }
  });
});
