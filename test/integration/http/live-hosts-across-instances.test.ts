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
import { createPeerInstance, type PeerInstance } from '../../support/peer-instance.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

// Issue 8, fault 9 (R-SEC-5): every instance holds the live hosts in memory. Instance A (the
// test context) makes the changes; B hears of them only through Redis pub/sub, since neither
// refreshes on its own during the test; C refreshes often, to show a lost announcement heals.

const NEVER_MS = String(60 * 60 * 1000);
/** Generous: an announcement takes milliseconds, C's refresh 300 ms. */
const SETTLE_MS = 10_000;

let ctx: TestContext;
let storageDirectory: string;
let owner: TestUser;
let peer: PeerInstance;
let healing: PeerInstance;

beforeAll(async () => {
  storageDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-live-hosts-'));
  const storage = { STORAGE_LOCAL_DIRECTORY: storageDirectory };
  ctx = await createTestContext({ ...storage, SITE_HOSTS_REFRESH_MS: NEVER_MS });
  owner = await ctx.createUser();
  peer = createPeerInstance(ctx, { ...storage, SITE_HOSTS_REFRESH_MS: NEVER_MS });
  healing = createPeerInstance(ctx, { ...storage, SITE_HOSTS_REFRESH_MS: '300' });
  await Promise.all([ctx.deps.liveHosts.start(), peer.deps.liveHosts.start()]);
  await healing.deps.liveHosts.start();
});

afterAll(async () => {
  await healing.close();
  await peer.close();
  await ctx.close();
  await rm(storageDirectory, { recursive: true, force: true });
});

/** Polls `read` until it returns `expected` or the bound passes; returns the last value. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<T> {
  const deadline = Date.now() + SETTLE_MS;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

async function call(method: string, path: string, body?: unknown): Promise<number> {
  const response = await ctx.request(method, path, {
    token: owner.token,
    ...(body === undefined ? {} : { body }),
  });
  return response.status;
}

describe('the live host set across instances (R-SEC-5)', () => {
  it('serves on another instance a site that went live through this one', async () => {
    const site = await deploySiteDirectly(ctx, owner);

    const status = await eventually(() => peer.statusAt(site.host), 200);

    expect(status).toBe(200);
    expect(await ctx.deps.liveHosts.check(site.host)).toBe('live');
  });

  describe('every write path reaches the other instance', () => {
    let site: DeployedSite;

    beforeAll(async () => {
      site = await deploySiteDirectly(ctx, owner);
      await eventually(() => peer.statusAt(site.host), 200);
    });

    it('unpublishing takes the host out, publishing brings it back', async () => {
      expect(await call('POST', `/api/portfolios/${site.portfolioId}/unpublish`)).toBe(200);
      const unpublished = await eventually(() => peer.deps.liveHosts.check(site.host), 'absent');
      const unpublishedStatus = await peer.statusAt(site.host);
      expect(await call('POST', `/api/portfolios/${site.portfolioId}/publish`)).toBe(200);
      const republished = await eventually(() => peer.deps.liveHosts.check(site.host), 'live');

      expect([unpublished, unpublishedStatus]).toEqual(['absent', 404]);
      expect(republished).toBe('live');
      expect(await peer.statusAt(site.host)).toBe(200);
    });

    it('a subdomain change moves the host', async () => {
      const renamed = uniqueSubdomain();
      const newHost = subdomainHost(siteAddressOf(ctx), renamed);

      expect(
        await call('PATCH', `/api/portfolios/${site.portfolioId}`, { subdomain: renamed }),
      ).toBe(200);

      expect(await eventually(() => peer.deps.liveHosts.check(newHost), 'live')).toBe('live');
      expect(await peer.deps.liveHosts.check(site.host)).toBe('absent');
      expect(await peer.statusAt(newHost)).toBe(200);
      expect(await peer.statusAt(site.host)).toBe(404);
      site = { ...site, host: newHost, subdomain: renamed };
    });

    it('a delete takes the host out of every set, not only off the page', async () => {
      expect(await call('DELETE', `/api/portfolios/${site.portfolioId}`)).toBe(204);

      expect(await eventually(() => peer.deps.liveHosts.check(site.host), 'absent')).toBe('absent');
      expect(await ctx.deps.liveHosts.check(site.host)).toBe('absent');
      expect(await peer.statusAt(site.host)).toBe(404);
    });
  });

  it('answers site hosts 503 while it could never load the set, and the API still works', async () => {
    const unreachable = 'postgres://postgres@127.0.0.1:1/rolerabbit';
    const blind = createPeerInstance(ctx, {
      DATABASE_URL: unreachable,
      DATABASE_DIRECT_URL: unreachable,
      SITE_HOSTS_REFRESH_MS: NEVER_MS,
    });
    try {
      const site = await blind.statusAt(subdomainHost(siteAddressOf(ctx), uniqueSubdomain()));
      const health = await blind.app.request('/healthz', { headers: { host: 'localhost:3000' } });

      expect(site).toBe(503);
      expect(health.status).toBe(200);
    } finally {
      await blind.close();
    }
  });

  it('heals a lost announcement at the next full refresh', async () => {
    const site = await deploySiteDirectly(ctx, owner);
    // Both have read the announcement before the change below, or they could read it after.
    await eventually(() => healing.deps.liveHosts.check(site.host), 'live');
    await eventually(() => peer.deps.liveHosts.check(site.host), 'live');

    // Unpublished behind every instance's back: no purge, no announcement.
    await ctx.deps.database.db
      .updateTable('portfolios')
      .set({ is_published: false })
      .where('id', '=', site.portfolioId)
      .execute();
    const healed = await eventually(() => healing.deps.liveHosts.check(site.host), 'absent');

    expect(healed).toBe('absent');
    expect(await healing.statusAt(site.host)).toBe(404);
    // The instances that only listen never heard of it: it was the refresh that healed.
    expect(await peer.deps.liveHosts.check(site.host)).toBe('live');
  });
});
