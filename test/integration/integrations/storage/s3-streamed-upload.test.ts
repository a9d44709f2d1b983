import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import {
  createS3Storage,
  type S3Storage,
} from '../../../../src/integrations/storage/s3-storage.ts';
import { createTestCall } from './storage-contract.ts';

/** What a loopback "S3" saw of one PUT, as the bytes arrived. */
interface ReceivedUpload {
  readonly headers: IncomingHttpHeaders;
  readonly chunks: Buffer[];
  /** Resolves true when the body ended normally, false when the client dropped it. */
  readonly completed: Promise<boolean>;
}

/** True once `arrived` resolves, false if it has not within `ms` (so nothing can hang). */
async function arrivesWithin(arrived: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const fallback = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ms);
  });
  try {
    return await Promise.race([arrived.then(() => true), fallback]);
  } finally {
    clearTimeout(timer);
  }
}

/** Answers every PUT with 200 and an ETag once its body has ended; records each one. */
async function startRecordingServer() {
  const uploads: ReceivedUpload[] = [];
  let sawBytes: () => void = () => undefined;
  const firstBytes = new Promise<void>((resolve) => {
    sawBytes = resolve;
  });
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    const completed = new Promise<boolean>((resolve) => {
      request.on('end', () => {
        resolve(true);
        response.writeHead(200, { etag: '"streamed"' }).end();
      });
      request.on('close', () => {
        resolve(false);
      });
    });
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      sawBytes();
    });
    uploads.push({ headers: request.headers, chunks, completed });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    uploads,
    /** Resolves when the first body bytes of any upload arrive. */
    firstBytes,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

describe(`${createS3Storage.name} with a declared contentLength`, () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup();
    }
  });

  async function againstRecordingServer() {
    const server = await startRecordingServer();
    const storage: S3Storage = createS3Storage({
      endpoint: server.url,
      region: 'us-east-1',
      accessKeyId: 'test',
      secretAccessKey: 'test',
      forcePathStyle: true,
      call: createTestCall(),
    });
    cleanups.push(async () => {
      storage.close();
      await server.close();
    });
    return { server, storage };
  }

  it('sends the body while it is still being produced, with the declared Content-Length', async () => {
    const { server, storage } = await againstRecordingServer();
    let bytesArrivedBeforeTheEnd = false;
    async function* produce() {
      yield Buffer.from('first part, ');
      yield Buffer.from('second part, ');
      // A buffering adapter sends nothing before the stream ends: this wait would then end
      // by its fallback, with nothing received.
      bytesArrivedBeforeTheEnd = await arrivesWithin(server.firstBytes, 3_000);
      yield Buffer.from('last part');
    }
    const body = 'first part, second part, last part';

    const stored = await storage.putObject({
      bucket: 'exports',
      key: 'streamed/export.pdf',
      contentType: 'application/pdf',
      contentLength: Buffer.byteLength(body),
      body: () => Readable.from(produce()),
    });

    expect(bytesArrivedBeforeTheEnd).toBe(true);
    const upload = server.uploads[0];
    expect(upload?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(Buffer.concat(upload?.chunks ?? []).toString('utf8')).toBe(body);
    expect(stored).toMatchObject({ size: Buffer.byteLength(body), etag: '"streamed"' });
  });

  it('never lets the server receive the declared length of a body that turns out longer', async () => {
    const { server, storage } = await againstRecordingServer();

    const error: unknown = await storage
      .putObject({
        bucket: 'exports',
        key: 'streamed/too-long.pdf',
        contentType: 'application/pdf',
        contentLength: 10,
        body: () => Readable.from([Buffer.from('0123456789'), Buffer.from('and more')]),
      })
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(InvalidInputError);
    const upload = server.uploads[0];
    if (upload !== undefined) {
      expect(await upload.completed).toBe(false);
      expect(Buffer.concat(upload.chunks).byteLength).toBeLessThan(10);
    }
  });
});
