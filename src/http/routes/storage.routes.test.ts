import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OpenAPIHono } from '@hono/zod-openapi';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createIntegration } from '../../integrations/resilience/resilient-call.ts';
import { createLocalStorage } from '../../integrations/storage/local-storage.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import type { AppEnv } from '../app-env.ts';
import { createErrorHandler } from '../error-handler.ts';
import { requestContext } from '../middleware/request-context.ts';
import { parseRangeHeader, storageRoutes } from './storage.routes.ts';

const SECRET = 'route-test-signing-secret-0123456789abcdefgh';
const logger = pino({ level: 'silent' });

let rootDirectory: string;
let storage: Storage;
let clockOffsetMs = 0;
let app: OpenAPIHono<AppEnv>;

beforeAll(async () => {
  rootDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-storage-routes-'));
  const { call } = createIntegration(
    'storage',
    {
      breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
      retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 100 },
      timeoutMs: 5_000,
    },
    { logger },
  );
  storage = createLocalStorage({
    rootDirectory,
    publicUrl: 'http://localhost',
    signingSecret: SECRET,
    call,
  });
  await storage.ensureBuckets();
  await storage.putObject({
    bucket: 'exports',
    key: 'user-1/digits.txt',
    body: Buffer.from('0123456789'),
    contentType: 'text/plain',
    cacheControl: 'private, max-age=60',
  });
  await storage.putObject({
    bucket: 'portfolios',
    key: 'site/index.html',
    body: Buffer.from('<h1>site</h1>'),
    contentType: 'text/html',
  });
  await storage.putObject({
    bucket: 'certificates',
    key: 'example.com/key.pem',
    body: Buffer.from('-----BEGIN PRIVATE KEY-----'),
    contentType: 'application/x-pem-file',
  });

  app = new OpenAPIHono<AppEnv>();
  app.use(requestContext({ logger }));
  app.route(
    '/',
    storageRoutes({ storage, signingSecret: SECRET, now: () => Date.now() + clockOffsetMs }),
  );
  app.onError(createErrorHandler());
});

afterAll(async () => {
  await rm(rootDirectory, { recursive: true, force: true });
});

const digitsUrl = () => storage.createSignedUrl('exports', 'user-1/digits.txt', 300);

describe(storageRoutes.name, () => {
  it('streams the whole object with its type, etag, caching and length', async () => {
    const response = await app.request(await digitsUrl());

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('0123456789');
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('etag')).toBe(
      (await storage.headObject('exports', 'user-1/digits.txt'))!.etag,
    );
    expect(response.headers.get('cache-control')).toBe('private, max-age=60');
    expect(response.headers.get('content-length')).toBe('10');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
  });

  it('keeps shared caches out when the object sets no caching of its own', async () => {
    const response = await app.request(
      await storage.createSignedUrl('portfolios', 'site/index.html', 300),
    );

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<h1>site</h1>');
    expect(response.headers.get('cache-control')).toBe('private');
  });

  it.each([
    ['bytes=2-5', '2345', 'bytes 2-5/10'],
    ['bytes=7-', '789', 'bytes 7-9/10'],
    ['bytes=-3', '789', 'bytes 7-9/10'],
    ['bytes=8-99', '89', 'bytes 8-9/10'],
  ])('answers 206 with only the bytes of %s', async (range, body, contentRange) => {
    const response = await app.request(await digitsUrl(), { headers: { range } });

    expect(response.status).toBe(206);
    expect(await response.text()).toBe(body);
    expect(response.headers.get('content-range')).toBe(contentRange);
    expect(response.headers.get('content-length')).toBe(String(body.length));
  });

  it('answers 416 with the size when the range starts past the end', async () => {
    const response = await app.request(await digitsUrl(), { headers: { range: 'bytes=10-20' } });

    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */10');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('sends the whole object for several ranges or a stale If-Range', async () => {
    const several = await app.request(await digitsUrl(), { headers: { range: 'bytes=0-1,4-5' } });
    const stale = await app.request(await digitsUrl(), {
      headers: { range: 'bytes=0-1', 'if-range': '"an-older-version"' },
    });

    for (const response of [several, stale]) {
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('0123456789');
    }
  });

  it('answers HEAD with the headers only', async () => {
    const response = await app.request(await digitsUrl(), { method: 'HEAD' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('10');
    expect(await response.text()).toBe('');
  });

  it('refuses a tampered or missing signature with 403 auth.forbidden', async () => {
    const url = new URL(await digitsUrl());
    const tampered = new URL(url);
    tampered.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    const unsigned = new URL(url);
    unsigned.search = '';

    for (const refused of [tampered, unsigned]) {
      const response = await app.request(refused.toString());
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ status: 403, code: 'auth.forbidden' });
    }
  });

  it('refuses a link once its expiry has passed', async () => {
    const url = await digitsUrl();
    expect((await app.request(url)).status).toBe(200);

    clockOffsetMs = 301_000;
    try {
      const response = await app.request(url);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: 'auth.forbidden' });
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('answers 404 for a validly signed key that holds nothing', async () => {
    const response = await app.request(
      await storage.createSignedUrl('exports', 'user-1/missing.pdf', 300),
    );

    expect(response.status).toBe(404);
  });

  it('never serves the certificates bucket, even with a valid signature', async () => {
    const response = await app.request(
      await storage.createSignedUrl('certificates', 'example.com/key.pem', 300),
    );

    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('PRIVATE KEY');
  });
});

describe(parseRangeHeader.name, () => {
  it.each([
    [undefined, 10, { kind: 'whole' }],
    ['bytes=0-0', 10, { kind: 'part', start: 0, end: 0 }],
    ['bytes=-20', 10, { kind: 'part', start: 0, end: 9 }],
    ['bytes=-0', 10, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=5-2', 10, { kind: 'whole' }],
    ['items=0-1', 10, { kind: 'whole' }],
    ['bytes=-', 10, { kind: 'whole' }],
  ] as const)('reads %s against %i bytes', (header, size, expected) => {
    expect(parseRangeHeader(header, size)).toEqual(expected);
  });
});
