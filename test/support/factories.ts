import type { PageBody, TemplateBody } from './api-bodies.ts';
import type { TestContext, TestUser } from './test-context.ts';

/** A valid create body; override any field. */
export function portfolioInput(templateId: string, overrides: Record<string, unknown> = {}) {
  return {
    title: 'Jane Doe — Portfolio',
    templateId,
    content: {
      profile: { name: 'Jane Doe', headline: 'Engineer' },
      links: [{ label: 'Site', url: 'https://example.com' }],
      sections: [{ kind: 'about', title: 'About', body: 'Hello.' }],
    },
    ...overrides,
  };
}

/** The id of a seeded, active template (the template database is seeded once per run). */
export async function seededTemplateId(ctx: TestContext, user: TestUser): Promise<string> {
  const response = await ctx.request<PageBody<TemplateBody>>('GET', '/api/templates', {
    token: user.token,
  });
  const first = response.body.data[0];
  if (first === undefined) {
    throw new Error('the template database has no templates; is the seed broken?');
  }
  return first.id;
}
