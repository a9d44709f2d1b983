import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SiteFile } from '../../../src/features/deployments/site-builder.ts';
import type { LiveSiteCache } from '../../../src/features/sites/live-site-cache.ts';
import { createLiveSiteResolver } from '../../../src/features/sites/live-sites.ts';
import { subdomainHost } from '../../../src/features/sites/site-address.ts';
import type { ProblemBody } from '../../support/api-bodies.ts';
import {
  type DeployedSite,
  deploySiteDirectly,
  siteAddressOf,
  uniqueSubdomain,
} from '../../support/deployed-site.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

const HOSTILE = '<script>alert(1)</script>';

let ctx: TestContext;
let storageDirectory: string;
let owner: TestUser;
let jane: DeployedSite;

beforeAll(async () => {
  storageDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-site-serving-'));
  ctx = await createTestContext({ STORAGE_LOCAL_DIRECTORY: storageDirectory });
  owner = await ctx.createUser();
  jane = await deploySiteDirectly(ctx, owner, {
    title: `Jane ${HOSTILE}`,
    content: {
      profile: { name: `Jane ${HOSTILE}`, headline: '<img src=x onerror=alert(2)>' },
      links: [{ label: 'Site', url: 'https://example.com' }],
      sections: [{ kind: 'about', title: 'About', body: `"quoted" & ${HOSTILE}` }],
    },
  });
});

afterAll(async () => {
  await ctx.close();
  await rm(storageDirectory, { recursive: true, force: true });
});

/** The raw bytes: compressed bodies must not be decoded as text. */
async function visit(host: string, path: string, init: RequestInit = {}) {
  const response = await ctx.app.request(path, {
    ...init,
    headers: { host, ...(init.headers as Record<string, string> | undefined) },
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

function fileOf(site: DeployedSite, path: string): SiteFile {
  const file = site.site.files.find((candidate) => candidate.path === path);
  if (file === undefined) {
    throw new Error(`the built site has no ${path}`);
  }
  return file;
}

describe('serving a deployed site by Host (R-PLAT-3)', () => {
  it('serves the home page with the hostile content escaped', async () => {
    const { response, bytes } = await visit(`${jane.host}:3000`, '/');
    const html = bytes.toString('utf8');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img src=x');
    expect(bytes.equals(fileOf(jane, 'index.html').body)).toBe(true);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300, must-revalidate');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves robots.txt and sitemap.xml with their content types', async () => {
    const robots = await visit(jane.host, '/robots.txt');
    const sitemap = await visit(jane.host, '/sitemap.xml');

    expect(robots.response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(robots.bytes.toString('utf8')).toContain('Sitemap:');
    expect(sitemap.response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(sitemap.bytes.toString('utf8')).toContain(jane.host);
  });

  it('serves the hashed stylesheet the page links to as immutable', async () => {
    const stylesheet = jane.site.files.find((file) =>
      /^styles\.[0-9a-f]{12}\.css$/.test(file.path),
    );
    expect(stylesheet).toBeDefined();
    const path = stylesheet?.path ?? '';
    expect(fileOf(jane, 'index.html').body.toString('utf8')).toContain(path);

    const { response } = await visit(jane.host, `/${path}`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers an unknown path with the deployment 404 page', async () => {
    const { response, bytes } = await visit(jane.host, '/no/such/page');

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('etag')).toBeNull();
    expect(bytes.toString('utf8')).toContain('Page not found');
    expect(bytes.toString('utf8')).not.toMatch(/<script/i);
  });

  it('answers /404.html itself with 404, like any missing page (issue 8, fault 14)', async () => {
    const missing = await visit(jane.host, '/no/such/page');

    const named = await visit(jane.host, '/404.html');

    expect(named.response.status).toBe(404);
    expect(named.response.headers.get('etag')).toBeNull();
    expect(named.response.headers.get('cache-control')).toBe('no-cache');
    expect(named.bytes.equals(missing.bytes)).toBe(true);
  });

  it('keeps API routes out of reach on a site host', async () => {
    const { response } = await visit(jane.host, '/api/me', {
      headers: { authorization: `Bearer ${owner.token}` },
    });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('answers an unknown subdomain with a 404 page', async () => {
    const host = subdomainHost(siteAddressOf(ctx), uniqueSubdomain());

    const { response, bytes } = await visit(host, '/');

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(bytes.toString('utf8')).toContain('Site not found');
  });

  it('leaves the API host to the API', async () => {
    const response = await ctx.request<{ status: string }>('GET', '/healthz', {
      headers: { host: 'localhost:3000' },
    });

    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });
});

describe('compression by Accept-Encoding (R-PERF-6)', () => {
  const identity = () => fileOf(jane, 'index.html').body;

  it('sends brotli when accepted, which decompresses to the page', async () => {
    const { response, bytes } = await visit(jane.host, '/', {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });

    expect(response.headers.get('content-encoding')).toBe('br');
    expect(response.headers.get('vary')).toBe('Accept-Encoding');
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(brotliDecompressSync(bytes).equals(identity())).toBe(true);
  });

  it('sends gzip when brotli is refused', async () => {
    const { response, bytes } = await visit(jane.host, '/', {
      headers: { 'accept-encoding': 'br;q=0, gzip' },
    });

    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(bytes).equals(identity())).toBe(true);
  });

  it('sends the plain bytes without Accept-Encoding, still varying on it', async () => {
    const { response, bytes } = await visit(jane.host, '/');

    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('vary')).toBe('Accept-Encoding');
    expect(bytes.equals(identity())).toBe(true);
  });
});

describe('ETags and conditional requests (R-PERF-7)', () => {
  const sha = () => fileOf(jane, 'index.html').sha256;

  it('tags each encoding with a strong ETag from the content hash', async () => {
    const plain = await visit(jane.host, '/');
    const brotli = await visit(jane.host, '/', { headers: { 'accept-encoding': 'br' } });

    expect(plain.response.headers.get('etag')).toBe(`"${sha()}"`);
    expect(brotli.response.headers.get('etag')).toBe(`"${sha()}-br"`);
  });

  it('answers 304 without a body when If-None-Match holds the tag, weakly or in a list', async () => {
    for (const ifNoneMatch of [`"${sha()}-br"`, `W/"${sha()}-br"`, `"stale", "${sha()}-br"`, '*']) {
      const { response, bytes } = await visit(jane.host, '/', {
        headers: { 'accept-encoding': 'br', 'if-none-match': ifNoneMatch },
      });

      expect(response.status, ifNoneMatch).toBe(304);
      expect(bytes.length).toBe(0);
      expect(response.headers.get('etag')).toBe(`"${sha()}-br"`);
      expect(response.headers.get('cache-control')).toBe('public, max-age=300, must-revalidate');
      expect(response.headers.get('vary')).toBe('Accept-Encoding');
    }
  });

  it("sends the full page when the client holds another encoding's copy", async () => {
    const { response } = await visit(jane.host, '/', {
      headers: { 'accept-encoding': 'br', 'if-none-match': `"${sha()}"` },
    });

    expect(response.status).toBe(200);
  });

  it('answers HEAD with the headers of GET and no body, and 304 on a match', async () => {
    const head = await visit(jane.host, '/', {
      method: 'HEAD',
      headers: { 'accept-encoding': 'gzip' },
    });
    const conditional = await visit(jane.host, '/', {
      method: 'HEAD',
      headers: { 'accept-encoding': 'gzip', 'if-none-match': `"${sha()}-gz"` },
    });

    expect(head.response.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    expect(head.response.headers.get('content-encoding')).toBe('gzip');
    expect(head.response.headers.get('etag')).toBe(`"${sha()}-gz"`);
    expect(head.response.headers.get('content-length')).toBe(
      String(fileOf(jane, 'index.html').gzip.length),
    );
    expect(conditional.response.status).toBe(304);
  });
});

describe('custom domains (R-PLAT-3)', () => {
  async function addDomain(domain: string, verified: boolean): Promise<void> {
    await ctx.deps.database.db
      .insertInto('custom_domains')
      .values({
        portfolio_id: jane.portfolioId,
        owner_id: owner.id,
        domain,
        verification_token: 'v'.repeat(40),
        verified_at: verified ? new Date() : null,
      })
      .execute();
    // What a write path for domains must do (R-SEC-5): tell the live host sets.
    await ctx.deps.liveHosts.hostsChanged([domain]);
  }

  it('serves the live site at a verified custom domain', async () => {
    await addDomain('jane-verified.example.org', true);

    const { response, bytes } = await visit('jane-verified.example.org', '/');

    expect(response.status).toBe(200);
    expect(bytes.equals(fileOf(jane, 'index.html').body)).toBe(true);
  });

  it('does not serve a site at an unverified domain, which stays an ordinary API host', async () => {
    await addDomain('jane-unverified.example.org', false);

    const response = await ctx.request<ProblemBody>('GET', '/', {
      headers: { host: 'jane-unverified.example.org' },
    });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.code).toBe('route.not_found');
  });
});

describe('the cached host mapping (R-PLAT-3, no database round trip per request)', () => {
  it('keeps serving from the cache after the row changes, until the host is purged', async () => {
    const cached = await deploySiteDirectly(ctx, owner, { title: 'Cached site' });
    expect((await visit(cached.host, '/')).response.status).toBe(200);

    // Only the cache can answer now: the database says the portfolio has no live site.
    await ctx.deps.database.db
      .updateTable('portfolios')
      .set({ live_deployment_id: null })
      .where('id', '=', cached.portfolioId)
      .execute();
    expect((await visit(cached.host, '/')).response.status).toBe(200);

    await ctx.deps.liveSites.purgeHosts([cached.host]);
    const after = await visit(cached.host, '/');
    expect(after.response.status).toBe(404);
    expect(after.bytes.toString('utf8')).toContain('Site not found');
  });

  it('joins overlapping lookups of a cold host into one query', async () => {
    const cold = await deploySiteDirectly(ctx, owner, { title: 'Cold site' });
    let writes = 0;
    const countingCache: LiveSiteCache = {
      read: (host) => ctx.deps.liveSites.read(host),
      purgeHosts: (hosts) => ctx.deps.liveSites.purgeHosts(hosts),
      async write(host, site) {
        writes += 1;
        await ctx.deps.liveSites.write(host, site);
      },
    };
    const resolve = createLiveSiteResolver({
      db: ctx.deps.database.db,
      cache: countingCache,
      address: siteAddressOf(ctx),
      liveHosts: ctx.deps.liveHosts,
    });

    const answers = await Promise.all(
      Array.from({ length: 5 }, () => resolve({ kind: 'subdomain', subdomain: cold.subdomain })),
    );

    expect(answers.map((answer) => answer?.deploymentId)).toEqual(
      Array.from({ length: 5 }, () => cold.deploymentId),
    );
    expect(writes).toBe(1);
  });
});
