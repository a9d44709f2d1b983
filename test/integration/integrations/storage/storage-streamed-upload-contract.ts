import { Readable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/errors/app-error.ts';
import type { Storage } from '../../../../src/integrations/storage/storage.ts';
import { readBody, type StorageUnderTest } from './storage-contract.ts';

const CHUNKS = ['%PDF-1.7\n', 'page one\n', 'page two\n', '%%EOF\n'];
const BODY = CHUNKS.join('');

function streamOfChunks(): Readable {
  return Readable.from(CHUNKS.map((chunk) => Buffer.from(chunk)));
}

/**
 * Uploads whose caller declares the body's length (`contentLength`): the export renderer
 * uploads its temporary file this way, and the S3 adapter then streams instead of buffering.
 * Every adapter must store such a body as it is and refuse one of another length.
 */
export function describeStreamedUploadContract(
  name: string,
  factory: () => Promise<StorageUnderTest>,
  capabilities: {
    /**
     * s3rver stores whatever arrived before the client aborted its request (real S3 discards
     * a body shorter than its Content-Length): there the test can only check that no object
     * of the declared length came out of it.
     */
    readonly keepsAbortedUploads: boolean;
  } = { keepsAbortedUploads: false },
): void {
  describe(`${name} storage: uploads of a declared length`, () => {
    let subject: StorageUnderTest;
    let storage: Storage;
    let testNumber = 0;
    const freshKey = () => {
      testNumber += 1;
      return `streamed-${String(testNumber)}/export.pdf`;
    };

    beforeAll(async () => {
      subject = await factory();
      storage = subject.storage;
      await storage.ensureBuckets();
    });

    afterAll(async () => {
      await subject.close();
    });

    it('stores a stream body of the declared length and reads it back unchanged', async () => {
      const key = freshKey();
      let factoryCalls = 0;

      const stored = await storage.putObject({
        bucket: 'exports',
        key,
        contentType: 'application/pdf',
        contentLength: Buffer.byteLength(BODY),
        body: () => {
          factoryCalls += 1;
          return streamOfChunks();
        },
      });

      expect(factoryCalls).toBe(1);
      expect(stored).toMatchObject({ key, size: Buffer.byteLength(BODY) });
      const object = await storage.getObject('exports', key);
      expect(object).toMatchObject({ size: Buffer.byteLength(BODY), etag: stored.etag });
      expect(await readBody(object)).toBe(BODY);
    });

    it.each([
      ['shorter', Buffer.byteLength(BODY) + 7],
      ['longer', Buffer.byteLength(BODY) - 3],
    ])(
      'refuses a stream body %s than declared with InvalidInputError and stores nothing',
      async (_label, declared) => {
        const key = freshKey();

        const error: unknown = await storage
          .putObject({
            bucket: 'exports',
            key,
            contentType: 'application/pdf',
            contentLength: declared,
            body: streamOfChunks,
          })
          .catch((err: unknown) => err);

        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error).toMatchObject({
          fieldIssues: [expect.objectContaining({ path: 'contentLength' })],
        });
        const head = await storage.headObject('exports', key);
        if (capabilities.keepsAbortedUploads) {
          expect(head?.size ?? 0).toBeLessThan(declared);
        } else {
          expect(head).toBeUndefined();
        }
      },
    );

    it('refuses a buffer body whose declared length differs, and a negative length', async () => {
      const key = freshKey();

      for (const contentLength of [4, -1]) {
        await expect(
          storage.putObject({
            bucket: 'exports',
            key,
            contentType: 'text/plain',
            contentLength,
            body: Buffer.from('three'),
          }),
        ).rejects.toBeInstanceOf(InvalidInputError);
      }
      expect(await storage.headObject('exports', key)).toBeUndefined();
    });
  });
}
