import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { subdomainHost } from '../../../src/features/sites/site-address.ts';
import {
  type DeployedSite,
  deploySiteDirectly,
  siteAddressOf,
  uniqueSubdomain,
} from '../../support/deployed-site.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

// What a portfolio's owner does to it shows on its site at once, although the host mapping
// is cached for minutes: every change purges the portfolio's hosts (R-PLAT-3, R-PERF-2).

let ctx: TestContext;
let storageDirectory: string;
let owner: TestUser;

beforeAll(async () => {
  storageDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-site-lifecycle-'));
  ctx = await createTestContext({ STORAGE_LOCAL_DIRECTORY: storageDirectory });
  owner = await ctx.createUser();
});

afterAll(async () => {
  await ctx.close();
  await rm(storageDirectory, { recursive: true, force: true });
});

async function statusAt(host: string): Promise<number> {
  const response = await ctx.app.request('/', { headers: { host } });
  await response.arrayBuffer();
  return response.status;
}

async function call(method: string, path: string, body?: unknown): Promise<number> {
  const response = await ctx.request(method, path, {
    token: owner.token,
    ...(body === undefined ? {} : { body }),
  });
  return response.status;
}

describe('site visibility follows the portfolio', () => {
  let site: DeployedSite;

  beforeAll(async () => {
    site = await deploySiteDirectly(ctx, owner);
  });

  it('stops serving when unpublished and serves the same deployment again when published', async () => {
    expect(await statusAt(site.host)).toBe(200); // now cached

    expect(await call('POST', `/api/portfolios/${site.portfolioId}/unpublish`)).toBe(200);
    const whileUnpublished = await statusAt(site.host);
    expect(await call('POST', `/api/portfolios/${site.portfolioId}/publish`)).toBe(200);
    const republished = await statusAt(site.host);

    expect(whileUnpublished).toBe(404);
    expect(republished).toBe(200);
  });

  it('moves to a new subdomain and leaves nothing at the old one', async () => {
    expect(await statusAt(site.host)).toBe(200);
    const renamed = uniqueSubdomain();
    const newHost = subdomainHost(siteAddressOf(ctx), renamed);
    expect(await statusAt(newHost)).toBe(404); // a cached miss for the new name

    expect(await call('PATCH', `/api/portfolios/${site.portfolioId}`, { subdomain: renamed })).toBe(
      200,
    );

    expect(await statusAt(site.host)).toBe(404);
    expect(await statusAt(newHost)).toBe(200);
  });

  it('stops serving a deleted portfolio at once', async () => {
    const doomed = await deploySiteDirectly(ctx, owner);
    expect(await statusAt(doomed.host)).toBe(200);

    expect(await call('DELETE', `/api/portfolios/${doomed.portfolioId}`)).toBe(204);

    expect(await statusAt(doomed.host)).toBe(404);
  });
});
