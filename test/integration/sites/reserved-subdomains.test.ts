import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { subdomainHost } from '../../../src/features/sites/site-address.ts';
import { reportReservedSubdomainsInUse } from '../../../src/wiring/report-reserved-subdomains.ts';
import { deploySiteDirectly } from '../../support/deployed-site.ts';
import {
  createDeploymentFixture,
  createPortfolioHolding,
  readDeployment,
} from '../../support/deployment-factory.ts';
import { wireDeployments } from '../../support/deployment-wiring.ts';
import { portfolioInput, seededTemplateId } from '../../support/factories.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

let ctx: TestContext;
let owner: TestUser;
let storageDirectory: string;

beforeAll(async () => {
  storageDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-reserved-'));
  ctx = await createTestContext({
    RESERVED_SUBDOMAINS: 'Careers, shop,press,,',
    STORAGE_LOCAL_DIRECTORY: storageDirectory,
    DNS_SITE_TARGET: 'sites.localhost',
  });
  owner = await ctx.createUser();
});

afterAll(async () => {
  await ctx.close();
  await rm(storageDirectory, { recursive: true, force: true });
});

/** Moves a portfolio onto a name as if it had taken it before the operator reserved it. */
async function moveOnto(portfolioId: string, subdomain: string): Promise<void> {
  await ctx.deps.database.db
    .updateTable('portfolios')
    .set({ subdomain })
    .where('id', '=', portfolioId)
    .execute();
}

describe('RESERVED_SUBDOMAINS', () => {
  it('refuses a reserved name for a new or renamed portfolio with 400 (R-PLAT-4)', async () => {
    const templateId = await seededTemplateId(ctx, owner);

    const created = await ctx.request<{ code: string }>('POST', '/api/portfolios', {
      token: owner.token,
      body: portfolioInput(templateId, { subdomain: 'careers' }),
    });

    expect(created.status).toBe(400);
    expect(created.body.code).toBe('portfolio.subdomain_invalid');
  });

  it('keeps serving a site already on a newly reserved name', async () => {
    const site = await deploySiteDirectly(ctx, owner);
    await moveOnto(site.portfolioId, 'shop');

    const response = await ctx.app.request('/', {
      headers: { host: subdomainHost(ctx.deps.siteAddress, 'shop') },
    });

    expect(response.status).toBe(200);
  });

  it('fails the next deployment to a reserved name with deployment.subdomain_invalid', async () => {
    const fixture = await createDeploymentFixture(ctx.deps.database.db, ctx.deps.siteAddress, {
      subdomain: 'careers',
    });

    const outcome = await wireDeployments(ctx.deps).runner.run(fixture.deploymentId, {
      attempt: 1,
      maxAttempts: 4,
      signal: new AbortController().signal,
    });

    expect(outcome).toMatchObject({
      kind: 'failed',
      failure: { code: 'deployment.subdomain_invalid', retryable: false },
    });
    expect(await readDeployment(ctx.deps.database.db, fixture.deploymentId)).toMatchObject({
      status: 'FAILED',
      errorCode: 'deployment.subdomain_invalid',
    });
  });

  it('lists the portfolios on reserved names at start-up', async () => {
    const onPress = await createPortfolioHolding(ctx.deps.database.db, 'press');
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          lines.push(line);
        },
      },
    );

    await reportReservedSubdomainsInUse({
      db: ctx.deps.database.db,
      reservedSubdomains: ctx.config.sites.reservedSubdomains,
      logger,
    });

    const [line] = lines.map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(line?.msg).toContain('RESERVED_SUBDOMAINS');
    expect(line?.portfolios).toContainEqual({
      id: onPress,
      subdomain: 'press',
      isPublished: false,
    });
  });
});
