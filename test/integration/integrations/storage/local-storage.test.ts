import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import { createLocalStorage } from '../../../../src/integrations/storage/local-storage.ts';
import type { Storage } from '../../../../src/integrations/storage/storage.ts';
import { startSignedUrlServer } from '../../../support/stand-ins/storage-signed-url-server.ts';
import {
  createTestCall,
  describeStorageContract,
  readBody,
  type StorageUnderTest,
} from './storage-contract.ts';
import { describeStreamedUploadContract } from './storage-streamed-upload-contract.ts';

const SECRET = 'storage-test-signing-secret-0123456789abcdef';

/** The adapter with a signed-URL server in front, in a folder of its own. */
async function startLocalStorage(): Promise<StorageUnderTest> {
  const rootDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-local-storage-'));
  const server = await startSignedUrlServer(SECRET);
  const storage = createLocalStorage({
    rootDirectory,
    publicUrl: server.url,
    signingSecret: SECRET,
    call: createTestCall(),
  });
  server.attach(storage);
  return {
    storage,
    async close() {
      await server.close();
      await rm(rootDirectory, { recursive: true, force: true });
    },
  };
}

describeStorageContract('local', startLocalStorage);
describeStreamedUploadContract('local', startLocalStorage);

describe(createLocalStorage.name, () => {
  let rootDirectory: string;
  let storage: Storage;

  beforeAll(async () => {
    rootDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-local-storage-'));
    storage = createLocalStorage({
      rootDirectory,
      publicUrl: 'http://127.0.0.1:1/',
      signingSecret: SECRET,
      call: createTestCall(),
    });
    await storage.ensureBuckets();
  });

  afterAll(async () => {
    await rm(rootDirectory, { recursive: true, force: true });
  });

  it('keeps each object as a plain file at <root>/<bucket>/<key>, leaving no temporary file', async () => {
    await storage.putObject({
      bucket: 'portfolios',
      key: 'layout/site/index.html',
      body: Buffer.from('<h1>hi</h1>'),
      contentType: 'text/html',
    });

    expect(await readFile(join(rootDirectory, 'portfolios/layout/site/index.html'), 'utf8')).toBe(
      '<h1>hi</h1>',
    );
    expect(await readdir(join(rootDirectory, '.uploads'))).toEqual([]);
  });

  it('uses the quoted SHA-256 of the content as the etag', async () => {
    const stored = await storage.putObject({
      bucket: 'exports',
      key: 'etag/abc.txt',
      body: Buffer.from('abc'),
      contentType: 'text/plain',
    });

    expect(stored.etag).toBe('"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"');
  });

  it('leaves neither an object nor a temporary file when the body stream fails', async () => {
    const failing = () =>
      Readable.from(
        (async function* chunks() {
          yield Buffer.from('half of it');
          await Promise.resolve();
          throw new Error('the source broke');
        })(),
      );

    await expect(
      storage.putObject({
        bucket: 'exports',
        key: 'broken/upload.pdf',
        body: failing,
        contentType: 'application/pdf',
      }),
    ).rejects.toThrow();

    expect(await storage.headObject('exports', 'broken/upload.pdf')).toBeUndefined();
    expect(await readdir(join(rootDirectory, '.uploads'))).toEqual([]);
  });

  it('recomputes the etag when the file changed behind its sidecar', async () => {
    const stored = await storage.putObject({
      bucket: 'exports',
      key: 'edited/by-hand.txt',
      body: Buffer.from('original'),
      contentType: 'text/plain',
    });
    await writeFile(join(rootDirectory, 'exports/edited/by-hand.txt'), 'abc');

    const head = await storage.headObject('exports', 'edited/by-hand.txt');

    expect(head).toMatchObject({ size: 3, contentType: 'text/plain' });
    expect(head!.etag).not.toBe(stored.etag);
    expect(head!.etag).toBe('"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"');
  });

  it('refuses a key that clashes with a folder of objects, and frees the name once they go', async () => {
    await storage.putObject({
      bucket: 'exports',
      key: 'clash/a/b.txt',
      body: Buffer.from('b'),
      contentType: 'text/plain',
    });

    await expect(
      storage.putObject({
        bucket: 'exports',
        key: 'clash/a',
        body: Buffer.from('a'),
        contentType: 'text/plain',
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(await storage.headObject('exports', 'clash/a')).toBeUndefined();

    await storage.deleteObject('exports', 'clash/a/b.txt');
    await storage.putObject({
      bucket: 'exports',
      key: 'clash/a',
      body: Buffer.from('a'),
      contentType: 'text/plain',
    });
    expect(await readBody(await storage.getObject('exports', 'clash/a'))).toBe('a');
  });

  it('signs URLs for this API with the key percent-encoded per segment', async () => {
    const url = new URL(await storage.createSignedUrl('exports', 'dir/a b#?.pdf', 60));

    expect(url.origin).toBe('http://127.0.0.1:1');
    expect(url.pathname).toBe('/storage/exports/dir/a%20b%23%3F.pdf');
    expect(Number(url.searchParams.get('expires'))).toBeGreaterThan(Date.now() / 1000 + 55);
    expect(url.searchParams.get('signature')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
