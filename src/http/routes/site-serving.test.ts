import { Writable } from 'node:stream';

import { Hono } from 'hono';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import { createMemoryStorage } from '../../../test/support/fakes/memory-storage.ts';
import type { SiteManifestFile } from '../../db/tables/deployments-tables.ts';
import type { LiveSite } from '../../features/sites/live-site-cache.ts';
import type { ResolveLiveSite } from '../../features/sites/live-sites.ts';
import type { SiteHost } from '../../features/sites/site-address.ts';
import { siteObjectKey } from '../../features/sites/site-storage-layout.ts';
import { IntegrationUnavailableError } from '../../integrations/resilience/integration-errors.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import type { AppEnv } from '../app-env.ts';
import { createErrorHandler } from '../error-handler.ts';
import { requestContext } from '../middleware/request-context.ts';
import { SITE_CONTENT_SECURITY_POLICY, siteServing } from './site-serving.ts';

const address = { baseDomain: 'localhost', publicUrl: 'http://localhost:3000' };

function manifestFile(size: number): SiteManifestFile {
  return {
    contentType: 'text/html; charset=utf-8',
    cacheControl: 'public, max-age=300, must-revalidate',
    sha256: 'b'.repeat(64),
    size,
    gzipSize: size,
    brotliSize: size,
  };
}

// No 404.html: unknown paths fall back to the built-in page.
const site: LiveSite = {
  portfolioId: '11111111-1111-4111-8111-111111111111',
  deploymentId: '22222222-2222-4222-8222-222222222222',
  manifest: { files: { 'index.html': manifestFile(5), 'work/index.html': manifestFile(4) } },
};

function createHarness(options: {
  readonly resolve?: ResolveLiveSite;
  readonly storage?: Storage;
}) {
  const logLines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const lookups: SiteHost[] = [];
  const resolve: ResolveLiveSite =
    options.resolve ??
    ((host) => {
      lookups.push(host);
      return Promise.resolve(
        host.kind === 'subdomain' && host.subdomain === 'jane' ? site : undefined,
      );
    });
  const app = new Hono<AppEnv>();
  app.use(requestContext({ logger }));
  app.use(siteServing({ address, resolve, storage: options.storage ?? createMemoryStorage() }));
  app.all('*', (c) => c.text('api', 200));
  app.onError(createErrorHandler());
  const request = (path: string, host: string, init: { method?: string; body?: string } = {}) =>
    app.request(path, { ...init, headers: { host } });
  return { request, lookups, logLines };
}

describe('siteServing (R-PLAT-3)', () => {
  it('lets the API host through without a lookup', async () => {
    const { request, lookups } = createHarness({});

    const response = await request('/healthz', 'localhost:3000');

    expect(await response.text()).toBe('api');
    expect(lookups).toEqual([]);
  });

  it('lets ACME challenges through on a site host', async () => {
    const { request, lookups } = createHarness({});

    const response = await request('/.well-known/acme-challenge/token', 'jane.localhost');

    expect(await response.text()).toBe('api');
    expect(lookups).toEqual([]);
  });

  it('lets a custom domain that serves no site through to the API', async () => {
    const { request, lookups } = createHarness({});

    const response = await request('/healthz', 'proxy.internal.example');

    expect(await response.text()).toBe('api');
    expect(lookups).toEqual([{ kind: 'custom', domain: 'proxy.internal.example' }]);
  });

  it('answers an unknown subdomain with a small 404 page', async () => {
    const { request } = createHarness({});

    const response = await request('/', 'nobody.localhost');
    const body = await response.text();

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(SITE_CONTENT_SECURITY_POLICY);
    expect(body).toContain('Site not found');
    expect(body).not.toContain('nobody');
  });

  it('refuses methods other than GET and HEAD with 405 and Allow', async () => {
    const { request } = createHarness({});

    const response = await request('/', 'jane.localhost', { method: 'POST', body: 'x' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('redirects a directory without its slash, keeping the query', async () => {
    const { request } = createHarness({});

    const response = await request('/work?ref=mail', 'jane.localhost');

    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/work/?ref=mail');
  });

  it('falls back to the built-in page when the deployment has no 404.html', async () => {
    const { request } = createHarness({});

    const response = await request('/missing', 'jane.localhost');

    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Site not found');
  });

  it('answers 503 and logs when a file of the manifest is missing from storage', async () => {
    const storage = createMemoryStorage();
    const { request, logLines } = createHarness({ storage });

    const response = await request('/', 'jane.localhost');

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe('dependency.unavailable');
    const key = siteObjectKey(site.portfolioId, site.deploymentId, 'index.html', 'identity');
    expect(logLines.join('')).toContain(key);
  });

  it('serves the file once storage holds it', async () => {
    const storage = createMemoryStorage();
    await storage.putObject({
      bucket: 'portfolios',
      key: siteObjectKey(site.portfolioId, site.deploymentId, 'work/index.html', 'identity'),
      body: Buffer.from('work'),
      contentType: 'text/html; charset=utf-8',
    });
    const { request } = createHarness({ storage });

    const response = await request('/work/', 'jane.localhost');

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('work');
  });

  it('answers 503 when storage is unavailable', async () => {
    const storage: Storage = {
      ...createMemoryStorage(),
      getObject: () =>
        Promise.reject(new IntegrationUnavailableError('storage', 'storage is unavailable')),
    };
    const { request } = createHarness({ storage });

    const response = await request('/', 'jane.localhost');

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 503 when the lookup itself fails (database down)', async () => {
    const { request, logLines } = createHarness({
      resolve: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
    });

    const response = await request('/', 'jane.localhost');

    expect(response.status).toBe(503);
    expect(await response.text()).not.toContain('ECONNREFUSED');
    expect(logLines.join('')).toContain('ECONNREFUSED');
  });
});
