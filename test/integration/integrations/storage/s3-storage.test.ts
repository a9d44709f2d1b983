import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import {
  IntegrationFailure,
  IntegrationUnavailableError,
} from '../../../../src/integrations/resilience/integration-errors.ts';
import {
  createIntegration,
  type ResilienceOptions,
} from '../../../../src/integrations/resilience/resilient-call.ts';
import {
  createS3Storage,
  type S3Storage,
} from '../../../../src/integrations/storage/s3-storage.ts';
import {
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../../support/stand-ins/scripted-http-server.ts';
import { startS3rver } from '../../../support/stand-ins/storage-s3rver.ts';
import {
  createTestCall,
  describeStorageContract,
  readBody,
  type StorageUnderTest,
} from './storage-contract.ts';
import { describeStreamedUploadContract } from './storage-streamed-upload-contract.ts';

/** The adapter against a fresh s3rver. */
async function startS3Storage(): Promise<StorageUnderTest> {
  const s3rver = await startS3rver();
  const storage = createS3Storage({
    endpoint: s3rver.endpoint,
    region: 'us-east-1',
    accessKeyId: s3rver.accessKeyId,
    secretAccessKey: s3rver.secretAccessKey,
    forcePathStyle: true,
    call: createTestCall(),
  });
  return {
    storage,
    async close() {
      storage.close();
      await s3rver.close();
    },
  };
}

describeStorageContract('s3 (s3rver)', startS3Storage, { checksUrlSignatures: false });
describeStreamedUploadContract('s3 (s3rver)', startS3Storage, { keepsAbortedUploads: true });

describe(createS3Storage.name, () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup();
    }
  });

  function resilience(overrides: Partial<ResilienceOptions> = {}): ResilienceOptions {
    return {
      breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
      retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 100 },
      timeoutMs: 5_000,
      ...overrides,
    };
  }

  /** The adapter pointed at a scripted server, with its integration to inspect. */
  async function againstScriptedServer(options: Partial<ResilienceOptions> = {}) {
    const server: ScriptedHttpServer = await startScriptedHttpServer({ status: 503 });
    const integration = createIntegration('storage', resilience(options), {
      logger: pino({ level: 'silent' }),
    });
    const storage: S3Storage = createS3Storage({
      endpoint: server.url,
      region: 'us-east-1',
      accessKeyId: 'test',
      secretAccessKey: 'test',
      forcePathStyle: true,
      call: integration.call,
    });
    cleanups.push(async () => {
      storage.close();
      integration.breaker.shutdown();
      await server.close();
    });
    return { server, integration, storage };
  }

  it('prefixes every bucket name when asked to', async () => {
    const s3rver = await startS3rver();
    const storage = createS3Storage({
      endpoint: s3rver.endpoint,
      region: 'us-east-1',
      accessKeyId: s3rver.accessKeyId,
      secretAccessKey: s3rver.secretAccessKey,
      forcePathStyle: true,
      bucketPrefix: 'rolerabbit-',
      call: createTestCall(),
    });
    cleanups.push(async () => {
      storage.close();
      await s3rver.close();
    });

    await storage.ensureBuckets();
    await storage.putObject({
      bucket: 'exports',
      key: 'a.txt',
      body: Buffer.from('a'),
      contentType: 'text/plain',
    });

    expect((await readdir(s3rver.directory)).sort()).toEqual([
      'rolerabbit-certificates',
      'rolerabbit-exports',
      'rolerabbit-portfolios',
    ]);
    expect(await readBody(await storage.getObject('exports', 'a.txt'))).toBe('a');
  });

  it('surfaces a 503 from S3 as a retryable failure that counts against the breaker', async () => {
    const { server, integration, storage } = await againstScriptedServer();

    const error: unknown = await storage
      .headObject('exports', 'a.txt')
      .catch((err: unknown) => err);

    // With retries used up, the call reports "unavailable" and keeps the vendor failure.
    expect(error).toBeInstanceOf(IntegrationUnavailableError);
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(IntegrationFailure);
    expect(cause).toMatchObject({ integration: 'storage', kind: 'retryable', status: 503 });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'HEAD', url: '/exports/a.txt' });
    expect(integration.breaker.snapshot()).toMatchObject({ consecutiveFailures: 1 });

    await expect(
      storage.putObject({
        bucket: 'exports',
        key: 'b.txt',
        body: Buffer.from('b'),
        contentType: 'text/plain',
      }),
    ).rejects.toBeInstanceOf(IntegrationUnavailableError);
    expect(integration.breaker.snapshot()).toMatchObject({ consecutiveFailures: 2 });
  });

  it('treats a 4xx as rejected: thrown at once and not counted by the breaker', async () => {
    const { server, integration, storage } = await againstScriptedServer();
    server.setFallback({
      status: 403,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>no</Message></Error>',
    });

    const error: unknown = await storage
      .putObject({ bucket: 'exports', key: 'a.txt', body: Buffer.from('a'), contentType: 'a/b' })
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(IntegrationFailure);
    expect(error).toMatchObject({ kind: 'rejected', status: 403 });
    expect(integration.breaker.snapshot()).toMatchObject({ consecutiveFailures: 0 });
  });

  it('aborts the request when an attempt runs out of time', async () => {
    const { server, storage } = await againstScriptedServer({ timeoutMs: 200 });
    server.setFallback({ hang: true });

    await expect(storage.headObject('exports', 'slow.txt')).rejects.toBeInstanceOf(
      IntegrationUnavailableError,
    );
    await expect(server.requests[0]!.closedByClient).resolves.toBeUndefined();
  });

  it('calls a stream body factory again for a retried upload, with a content length', async () => {
    const { server, storage } = await againstScriptedServer({
      retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 100 },
    });
    server.enqueue({ status: 503 }, { status: 200, headers: { etag: '"abc123"' } });
    let factoryCalls = 0;

    const stored = await storage.putObject({
      bucket: 'portfolios',
      key: 'site/index.html',
      body: () => {
        factoryCalls += 1;
        return Readable.from([Buffer.from('<html>'), Buffer.from('</html>')]);
      },
      contentType: 'text/html',
    });

    expect(factoryCalls).toBe(2);
    expect(server.requests.map((request) => request.body)).toEqual([
      '<html></html>',
      '<html></html>',
    ]);
    expect(server.requests[1]!.headers['content-length']).toBe('13');
    expect(stored).toMatchObject({ etag: '"abc123"', size: 13 });
  });
});
