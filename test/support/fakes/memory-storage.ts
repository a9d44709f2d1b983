import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import type {
  BucketName,
  ObjectWithBody,
  PutObjectInput,
  Storage,
  StoredObject,
} from '../../../src/integrations/storage/storage.ts';

interface MemoryObject {
  readonly meta: StoredObject;
  readonly bytes: Buffer;
}

export interface MemoryStorage extends Storage {
  /** The stored bytes as text, for assertions; undefined when absent. */
  readText(bucket: BucketName, key: string): string | undefined;
  /** Every key in a bucket, sorted. */
  keys(bucket: BucketName): string[];
}

async function collect(body: PutObjectInput['body']): Promise<Buffer> {
  if (typeof body !== 'function') {
    return Buffer.from(body);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body()) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  }
  return Buffer.concat(chunks);
}

/** An in-memory Storage for tests that are about something else than storage itself. */
export function createMemoryStorage(): MemoryStorage {
  const objects = new Map<string, MemoryObject>();
  const id = (bucket: BucketName, key: string) => `${bucket}/${key}`;

  return {
    ensureBuckets: () => Promise.resolve(),
    async putObject(input) {
      const bytes = await collect(input.body);
      const meta: StoredObject = {
        bucket: input.bucket,
        key: input.key,
        size: bytes.length,
        contentType: input.contentType,
        etag: createHash('md5').update(bytes).digest('hex'),
        lastModified: new Date(),
        cacheControl: input.cacheControl,
        contentEncoding: input.contentEncoding,
      };
      objects.set(id(input.bucket, input.key), { meta, bytes });
      return meta;
    },
    getObject(bucket, key, range) {
      const found = objects.get(id(bucket, key));
      if (found === undefined) {
        return Promise.resolve(undefined);
      }
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? found.bytes.length - 1, found.bytes.length - 1);
      const result: ObjectWithBody = {
        ...found.meta,
        body: Readable.from([found.bytes.subarray(start, end + 1)]),
        range: range === undefined ? undefined : { start, end },
      };
      return Promise.resolve(result);
    },
    headObject: (bucket, key) => Promise.resolve(objects.get(id(bucket, key))?.meta),
    deleteObject(bucket, key) {
      objects.delete(id(bucket, key));
      return Promise.resolve();
    },
    listObjects(bucket, prefix, options = {}) {
      const all = [...objects.values()]
        .map((object) => object.meta)
        .filter((meta) => meta.bucket === bucket && meta.key.startsWith(prefix))
        .filter((meta) => options.after === undefined || meta.key > options.after)
        .sort((a, b) => a.key.localeCompare(b.key));
      const limit = options.limit ?? 1000;
      const page = all.slice(0, limit);
      return Promise.resolve({
        objects: page,
        nextAfter: all.length > limit ? page.at(-1)?.key : undefined,
      });
    },
    createSignedUrl: (bucket, key, expiresInSeconds) =>
      Promise.resolve(
        `memory://${bucket}/${key}?expires=${String(Date.now() + expiresInSeconds * 1000)}`,
      ),
    readText: (bucket, key) => objects.get(id(bucket, key))?.bytes.toString('utf8'),
    keys: (bucket) =>
      [...objects.values()]
        .filter((object) => object.meta.bucket === bucket)
        .map((object) => object.meta.key)
        .sort(),
  };
}
