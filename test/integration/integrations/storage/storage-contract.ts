import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import {
  createIntegration,
  type ResilientCall,
} from '../../../../src/integrations/resilience/resilient-call.ts';
import {
  type ObjectWithBody,
  type Storage,
  STORAGE_BUCKETS,
} from '../../../../src/integrations/storage/storage.ts';

export interface StorageUnderTest {
  readonly storage: Storage;
  close(): Promise<void>;
}

export interface StorageContractCapabilities {
  /**
   * Whether the back end refuses a signed URL whose signature or key was altered. s3rver
   * checks only the expiry of SigV4 presigned URLs, not their signature.
   */
  readonly checksUrlSignatures: boolean;
}

/** The resilient call every adapter gets in these tests: no retries, so failures are quick. */
export function createTestCall(): ResilientCall {
  return createIntegration(
    'storage',
    {
      breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
      retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 100 },
      timeoutMs: 5_000,
    },
    { logger: pino({ level: 'silent' }) },
  ).call;
}

export async function readBody(object: ObjectWithBody | undefined): Promise<string> {
  expect(object).toBeDefined();
  return (await buffer(object!.body)).toString('utf8');
}

const INVALID_KEYS = [
  '../x',
  '/abs',
  'a//b',
  '',
  'a/',
  'a/./b',
  'a/../b',
  'a\\b',
  'a\u0000b',
  'line\nbreak',
  'x'.repeat(1025),
];

/**
 * The behaviour every Storage adapter must share (R-INT-1). Each adapter's test file calls
 * this with a factory that starts the adapter against its own loopback back end.
 */
export function describeStorageContract(
  name: string,
  factory: () => Promise<StorageUnderTest>,
  capabilities: StorageContractCapabilities = { checksUrlSignatures: true },
): void {
  describe(`${name} storage contract`, () => {
    let subject: StorageUnderTest;
    let storage: Storage;
    let testNumber = 0;
    /** A key prefix of its own for every test, so tests never see each other's objects. */
    const fresh = () => {
      testNumber += 1;
      return `contract-${String(testNumber)}`;
    };

    beforeAll(async () => {
      subject = await factory();
      storage = subject.storage;
      await storage.ensureBuckets();
    });

    afterAll(async () => {
      await subject.close();
    });

    it('creates the buckets idempotently, so every bucket accepts objects afterwards', async () => {
      await storage.ensureBuckets();
      await storage.ensureBuckets();
      const key = `${fresh()}/probe.txt`;

      for (const bucket of STORAGE_BUCKETS) {
        await storage.putObject({
          bucket,
          key,
          body: Buffer.from(bucket),
          contentType: 'text/plain',
        });
        expect(await readBody(await storage.getObject(bucket, key))).toBe(bucket);
      }
    });

    it('returns the bytes it stored from a buffer, with the stored description', async () => {
      const key = `${fresh()}/hello.txt`;
      const stored = await storage.putObject({
        bucket: 'exports',
        key,
        body: new TextEncoder().encode('hello, storage'),
        contentType: 'text/plain; charset=utf-8',
      });

      expect(stored).toMatchObject({ bucket: 'exports', key, size: 14 });
      expect(stored.etag).toMatch(/^"[^"]+"$/);
      const object = await storage.getObject('exports', key);
      expect(object).toMatchObject({
        size: 14,
        contentType: 'text/plain; charset=utf-8',
        etag: stored.etag,
        range: undefined,
      });
      expect(await readBody(object)).toBe('hello, storage');
    });

    it('stores a stream body, calling the factory once for one attempt', async () => {
      const key = `${fresh()}/site/index.html`;
      const chunks = ['<html>', '<body>streamed', ' in parts</body>', '</html>'];
      let factoryCalls = 0;

      const stored = await storage.putObject({
        bucket: 'portfolios',
        key,
        body: () => {
          factoryCalls += 1;
          return Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
        },
        contentType: 'text/html',
      });

      expect(factoryCalls).toBe(1);
      expect(stored.size).toBe(chunks.join('').length);
      expect(await readBody(await storage.getObject('portfolios', key))).toBe(chunks.join(''));
    });

    it('describes an object through head: type, caching, encoding, size and etag', async () => {
      const key = `${fresh()}/report.pdf`;
      const before = Date.now() - 2_000;
      const stored = await storage.putObject({
        bucket: 'exports',
        key,
        body: Buffer.from('%PDF-1.7 pretend'),
        contentType: 'application/pdf',
        cacheControl: 'private, max-age=600',
        contentEncoding: 'identity',
      });

      const head = await storage.headObject('exports', key);

      expect(head).toMatchObject({
        bucket: 'exports',
        key,
        size: 16,
        contentType: 'application/pdf',
        cacheControl: 'private, max-age=600',
        contentEncoding: 'identity',
        etag: stored.etag,
      });
      expect(head!.lastModified.getTime()).toBeGreaterThan(before);
      expect(head!.lastModified.getTime()).toBeLessThan(Date.now() + 2_000);
    });

    it('replaces an object on a second put, with a new etag', async () => {
      const key = `${fresh()}/page.html`;
      const first = await storage.putObject({
        bucket: 'portfolios',
        key,
        body: Buffer.from('version one'),
        contentType: 'text/html',
      });
      const second = await storage.putObject({
        bucket: 'portfolios',
        key,
        body: Buffer.from('version two!'),
        contentType: 'text/html',
      });

      expect(second.etag).not.toBe(first.etag);
      expect(await storage.headObject('portfolios', key)).toMatchObject({
        etag: second.etag,
        size: 12,
      });
      expect(await readBody(await storage.getObject('portfolios', key))).toBe('version two!');
    });

    it('reads inclusive byte ranges, clamped to the end of the object', async () => {
      const key = `${fresh()}/digits.txt`;
      await storage.putObject({
        bucket: 'exports',
        key,
        body: Buffer.from('0123456789'),
        contentType: 'text/plain',
      });

      const middle = await storage.getObject('exports', key, { start: 2, end: 5 });
      expect(middle).toMatchObject({ size: 10, range: { start: 2, end: 5 } });
      expect(await readBody(middle)).toBe('2345');

      const tail = await storage.getObject('exports', key, { start: 7 });
      expect(tail).toMatchObject({ range: { start: 7, end: 9 } });
      expect(await readBody(tail)).toBe('789');

      const beyond = await storage.getObject('exports', key, { start: 8, end: 50 });
      expect(beyond).toMatchObject({ range: { start: 8, end: 9 } });
      expect(await readBody(beyond)).toBe('89');

      await expect(storage.getObject('exports', key, { start: 10 })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      await expect(storage.getObject('exports', key, { start: 5, end: 4 })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    });

    it('lists by prefix in key order, page by page', async () => {
      const base = fresh();
      const keys = ['b.css', 'a/index.html', 'a/z.png', 'c.js', 'a/b/deep.txt'];
      for (const key of [...keys.map((k) => `${base}/site/${k}`), `${base}/sitemap.xml`]) {
        await storage.putObject({
          bucket: 'portfolios',
          key,
          body: Buffer.from(key),
          contentType: 'text/plain',
        });
      }

      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await storage.listObjects('portfolios', `${base}/site/`, {
          limit: 2,
          // The port's options are exact: an absent `after` must be left out, not undefined.
          ...(after === undefined ? {} : { after }),
        });
        expect(page.objects.length).toBeLessThanOrEqual(2);
        seen.push(...page.objects.map((object) => object.key));
        after = page.nextAfter;
        pages += 1;
      } while (after !== undefined && pages < 10);

      const expected = keys.map((k) => `${base}/site/${k}`).sort();
      expect(seen).toEqual(expected);
      expect(pages).toBe(3);

      const whole = await storage.listObjects('portfolios', `${base}/site`);
      expect(whole.objects.map((object) => object.key)).toEqual([
        ...expected,
        `${base}/sitemap.xml`,
      ]);
      expect(whole.nextAfter).toBeUndefined();
      const first = whole.objects[0]!;
      expect(first).toMatchObject({ bucket: 'portfolios', size: Buffer.byteLength(first.key) });
      expect(first.etag).toBe((await storage.headObject('portfolios', first.key))!.etag);

      expect(await storage.listObjects('portfolios', `${base}/nothing-here/`)).toEqual({
        objects: [],
        nextAfter: undefined,
      });
    });

    it('deletes idempotently: a deleted or never-stored key is not an error', async () => {
      const key = `${fresh()}/gone.txt`;
      await storage.putObject({
        bucket: 'exports',
        key,
        body: Buffer.from('x'),
        contentType: 'text/plain',
      });

      await storage.deleteObject('exports', key);
      expect(await storage.headObject('exports', key)).toBeUndefined();
      await expect(storage.deleteObject('exports', key)).resolves.toBeUndefined();
      await expect(storage.deleteObject('exports', `${key}.never`)).resolves.toBeUndefined();
    });

    it('answers undefined for an object that does not exist', async () => {
      const key = `${fresh()}/missing.bin`;

      expect(await storage.getObject('exports', key)).toBeUndefined();
      expect(await storage.getObject('exports', key, { start: 0, end: 1 })).toBeUndefined();
      expect(await storage.headObject('exports', key)).toBeUndefined();
    });

    it('gives signed URLs that plain fetch can read', async () => {
      const key = `${fresh()}/shared file (1).pdf`;
      await storage.putObject({
        bucket: 'exports',
        key,
        body: Buffer.from('%PDF signed'),
        contentType: 'application/pdf',
      });

      const url = await storage.createSignedUrl('exports', key, 600);
      const response = await fetch(url);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/pdf');
      expect(await response.text()).toBe('%PDF signed');
    });

    if (capabilities.checksUrlSignatures) {
      it('refuses a signed URL moved to another key or with an altered signature', async () => {
        const base = fresh();
        for (const name of ['mine.txt', 'theirs.txt']) {
          await storage.putObject({
            bucket: 'exports',
            key: `${base}/${name}`,
            body: Buffer.from(name),
            contentType: 'text/plain',
          });
        }
        const url = new URL(await storage.createSignedUrl('exports', `${base}/mine.txt`, 600));

        const moved = new URL(url);
        moved.pathname = moved.pathname.replace('mine.txt', 'theirs.txt');
        const altered = new URL(url);
        const signature = altered.searchParams.get('signature')!;
        altered.searchParams.set(
          'signature',
          `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
        );
        for (const refusedUrl of [moved, altered]) {
          const refused = await fetch(refusedUrl);
          expect(refused.status).toBe(403);
          expect(await refused.json()).toMatchObject({ code: 'auth.forbidden' });
        }
      });
    }

    it('refuses a signed URL once it has expired', async () => {
      const key = `${fresh()}/expiring.txt`;
      await storage.putObject({
        bucket: 'exports',
        key,
        body: Buffer.from('soon gone'),
        contentType: 'text/plain',
      });
      const url = await storage.createSignedUrl('exports', key, 1);

      // Both back ends count expiry in whole seconds from the signing second.
      await sleep(2_100);

      const expired = await fetch(url);
      await expired.arrayBuffer();
      expect(expired.status).toBe(403);
    });

    it.each(INVALID_KEYS.map((key) => [JSON.stringify(key).slice(0, 24), key]))(
      'rejects the key %s in every method with InvalidInputError',
      async (_label, key) => {
        const operations = [
          storage.putObject({ bucket: 'exports', key, body: Buffer.from('x'), contentType: 'a/b' }),
          storage.getObject('exports', key),
          storage.headObject('exports', key),
          storage.deleteObject('exports', key),
          storage.createSignedUrl('exports', key, 60),
        ];
        for (const operation of operations) {
          const error: unknown = await operation.then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(error).toBeInstanceOf(InvalidInputError);
          expect(error).toMatchObject({
            code: 'request.invalid',
            fieldIssues: [expect.objectContaining({ path: 'key' })],
          });
        }
      },
    );

    it('rejects unusable arguments: a parent-escaping prefix, limits and expiries', async () => {
      await expect(storage.listObjects('exports', '../')).rejects.toBeInstanceOf(InvalidInputError);
      await expect(storage.listObjects('exports', '', { limit: 0 })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      await expect(storage.createSignedUrl('exports', 'a.txt', 0)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      await expect(
        storage.createSignedUrl('exports', 'a.txt', 8 * 24 * 60 * 60),
      ).rejects.toBeInstanceOf(InvalidInputError);
    });
  });
}
