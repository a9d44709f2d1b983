import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { ResilientCall } from '../resilience/resilient-call.ts';
import {
  errorCodeOf,
  hashFile,
  isMissing,
  listFiles,
  moveIntoPlace,
  pathClash,
  pruneEmptyFolders,
  quotedSha256,
  readSidecar,
  type Sidecar,
  writeFileAtomically,
} from './local-storage-files.ts';
import type {
  BucketName,
  ObjectWithBody,
  PutObjectInput,
  Storage,
  StoredObject,
} from './storage.ts';
import { STORAGE_BUCKETS } from './storage.ts';
import {
  assertValidExpiry,
  assertValidRange,
  compareKeys,
  resolveListLimit,
  resolveRange,
} from './storage-arguments.ts';
import { assertValidContentLength, contentLengthMismatch } from './storage-content-length.ts';
import { assertValidKey, assertValidPrefix } from './storage-keys.ts';
import { signStorageUrl } from './storage-url-signature.ts';

export { verifyStorageSignature } from './storage-url-signature.ts';

export interface LocalStorageOptions {
  /** Holds one folder per bucket, plus `.metadata/` (sidecars) and `.uploads/` (temp files). */
  readonly rootDirectory: string;
  /** Public base URL of this API; signed URLs point at its `/storage/...` route. */
  readonly publicUrl: string;
  /** Signs URLs; the route that serves them must verify with the same secret. */
  readonly signingSecret: string;
  readonly call: ResilientCall;
  /** Clock for signed-URL expiry, in milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

async function writeBody(
  body: PutObjectInput['body'],
  temporary: string,
  signal: AbortSignal,
): Promise<string> {
  const hash = createHash('sha256');
  if (typeof body !== 'function') {
    hash.update(body);
    await writeFile(temporary, body, { signal });
    return quotedSha256(hash);
  }
  await pipeline(
    body(),
    async function* hashChunks(chunks: AsyncIterable<Buffer | string>) {
      for await (const chunk of chunks) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        hash.update(bytes);
        yield bytes;
      }
    },
    createWriteStream(temporary),
    { signal },
  );
  return quotedSha256(hash);
}

/**
 * Storage on the local disk: the default for development and single-host installs. Objects are
 * files at `<root>/<bucket>/<key>`, written to a temporary file and renamed into place. Signed
 * URLs are served by `storageRoutes` (src/http/routes/storage.routes.ts).
 */
export function createLocalStorage(options: LocalStorageOptions): Storage {
  const root = resolve(options.rootDirectory);
  const uploads = join(root, '.uploads');
  const baseUrl = options.publicUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const { call } = options;

  const bucketFolder = (bucket: BucketName) => join(root, bucket);
  const objectPath = (bucket: BucketName, key: string) => join(root, bucket, ...key.split('/'));
  const sidecarPath = (bucket: BucketName, key: string) =>
    `${join(root, '.metadata', bucket, ...key.split('/'))}.json`;

  /** Describes the open file; the sidecar is trusted only while it matches the file. */
  async function describe(
    bucket: BucketName,
    key: string,
    handle: FileHandle,
  ): Promise<StoredObject | undefined> {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      return undefined;
    }
    const sidecar = await readSidecar(sidecarPath(bucket, key));
    const current = sidecar?.size === stats.size && sidecar.mtimeMs === stats.mtimeMs;
    return {
      bucket,
      key,
      size: stats.size,
      contentType: sidecar?.contentType ?? FALLBACK_CONTENT_TYPE,
      etag: current ? sidecar.etag : await hashFile(handle, stats.size),
      lastModified: stats.mtime,
      cacheControl: sidecar?.cacheControl,
      contentEncoding: sidecar?.contentEncoding,
    };
  }

  /** Opens the object's file, or undefined when there is none. */
  async function openObject(bucket: BucketName, key: string): Promise<FileHandle | undefined> {
    try {
      return await open(objectPath(bucket, key), 'r');
    } catch (err) {
      if (isMissing(err)) {
        return undefined;
      }
      throw err;
    }
  }

  async function headObject(bucket: BucketName, key: string): Promise<StoredObject | undefined> {
    const handle = await openObject(bucket, key);
    if (handle === undefined) {
      return undefined;
    }
    try {
      return await describe(bucket, key, handle);
    } finally {
      await handle.close();
    }
  }

  return {
    async ensureBuckets() {
      await call('ensureBuckets', async () => {
        for (const folder of [uploads, ...STORAGE_BUCKETS.map(bucketFolder)]) {
          await mkdir(folder, { recursive: true });
        }
      });
    },

    async putObject(input) {
      assertValidKey(input.key);
      assertValidContentLength(input.contentLength);
      const { bucket, key } = input;
      return call('putObject', async (signal) => {
        await mkdir(uploads, { recursive: true });
        const temporary = join(uploads, randomUUID());
        try {
          const etag = await writeBody(input.body, temporary, signal);
          const stats = await stat(temporary);
          if (input.contentLength !== undefined && input.contentLength !== stats.size) {
            throw contentLengthMismatch(input.contentLength, String(stats.size));
          }
          // The object first, then its sidecar: a reader in between may see the new bytes
          // with the old sidecar, which `describe` detects by size and mtime.
          await moveIntoPlace(temporary, objectPath(bucket, key));
          const sidecar: Sidecar = {
            contentType: input.contentType,
            ...(input.cacheControl === undefined ? {} : { cacheControl: input.cacheControl }),
            ...(input.contentEncoding === undefined
              ? {}
              : { contentEncoding: input.contentEncoding }),
            etag,
            size: stats.size,
            mtimeMs: stats.mtimeMs,
          };
          await writeFileAtomically(uploads, sidecarPath(bucket, key), JSON.stringify(sidecar));
          return {
            bucket,
            key,
            size: stats.size,
            contentType: input.contentType,
            etag,
            lastModified: stats.mtime,
            cacheControl: input.cacheControl,
            contentEncoding: input.contentEncoding,
          };
        } catch (err) {
          await rm(temporary, { force: true });
          throw pathClash(err, key) ?? err;
        }
      });
    },

    async getObject(bucket, key, range) {
      assertValidKey(key);
      assertValidRange(range);
      return call('getObject', async (): Promise<ObjectWithBody | undefined> => {
        const handle = await openObject(bucket, key);
        if (handle === undefined) {
          return undefined;
        }
        let body: Readable | undefined;
        try {
          const described = await describe(bucket, key, handle);
          if (described === undefined) {
            return undefined;
          }
          // Read through the handle opened above: a concurrent replace cannot mix two files.
          const selected = range === undefined ? undefined : resolveRange(range, described.size);
          body = handle.createReadStream({
            ...(selected ?? {}),
            autoClose: true,
          });
          return { ...described, body, range: selected };
        } finally {
          if (body === undefined) {
            await handle.close();
          }
        }
      });
    },

    async headObject(bucket, key) {
      assertValidKey(key);
      return call('headObject', () => headObject(bucket, key));
    },

    async deleteObject(bucket, key) {
      assertValidKey(key);
      await call('deleteObject', async () => {
        for (const [path, stopAt] of [
          [objectPath(bucket, key), bucketFolder(bucket)],
          [sidecarPath(bucket, key), join(root, '.metadata', bucket)],
        ] as const) {
          try {
            await unlink(path);
          } catch (err) {
            // A folder where the file would be means the object does not exist either.
            if (!isMissing(err) && !['EISDIR', 'EPERM'].includes(errorCodeOf(err) ?? '')) {
              throw err;
            }
          }
          // Empty folders left behind would stop a later object named like one of them.
          await pruneEmptyFolders(dirname(path), stopAt);
        }
      });
    },

    async listObjects(bucket, prefix, listOptions = {}) {
      assertValidPrefix(prefix);
      const limit = resolveListLimit(listOptions.limit);
      const { after } = listOptions;
      return call('listObjects', async () => {
        // Only the folder the prefix's complete segments name can hold matching keys.
        const complete = prefix.split('/').slice(0, -1);
        const keys = (
          await listFiles(bucketFolder(bucket), join(bucketFolder(bucket), ...complete))
        )
          .filter((key) => key.startsWith(prefix))
          .filter((key) => after === undefined || compareKeys(key, after) > 0)
          .sort(compareKeys);
        const page = keys.slice(0, limit);
        const objects: StoredObject[] = [];
        for (const key of page) {
          const object = await headObject(bucket, key);
          if (object !== undefined) {
            objects.push(object);
          }
        }
        return {
          objects,
          nextAfter: keys.length > limit ? page.at(-1) : undefined,
        };
      });
    },

    createSignedUrl(bucket, key, expiresInSeconds) {
      // Inside the executor, so invalid input rejects the promise like every other method.
      return new Promise((resolveUrl) => {
        assertValidKey(key);
        assertValidExpiry(expiresInSeconds);
        const expires = Math.floor(now() / 1000) + expiresInSeconds;
        const signature = signStorageUrl(bucket, key, expires, options.signingSecret);
        const path = key.split('/').map(encodeURIComponent).join('/');
        resolveUrl(
          `${baseUrl}/storage/${bucket}/${path}?expires=${String(expires)}&signature=${signature}`,
        );
      });
    },
  };
}
