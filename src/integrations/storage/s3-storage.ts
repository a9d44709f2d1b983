import type { Readable } from 'node:stream';

import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

import type { ResilientCall } from '../resilience/resilient-call.ts';
import { putS3Object } from './s3-put-object.ts';
import {
  isMissingS3Object,
  parseContentRange,
  s3StatusOf,
  toS3Failure,
} from './s3-storage-errors.ts';
import type { BucketName, ObjectWithBody, Storage, StoredObject } from './storage.ts';
import { STORAGE_BUCKETS } from './storage.ts';
import { assertValidExpiry, assertValidRange, resolveListLimit } from './storage-arguments.ts';
import { assertValidContentLength } from './storage-content-length.ts';
import { assertValidKey, assertValidPrefix } from './storage-keys.ts';

export interface S3StorageOptions {
  /** e.g. `https://<ref>.storage.supabase.co/storage/v1/s3`, a MinIO or R2 URL, or AWS's. */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** `bucket` in the path rather than the host name: needed by Supabase, MinIO and s3rver. */
  readonly forcePathStyle: boolean;
  /** Prepended to every bucket name (e.g. `rolerabbit-` → `rolerabbit-exports`). */
  readonly bucketPrefix?: string | undefined;
  readonly call: ResilientCall;
}

/** The S3 adapter owns a connection pool: `close()` releases it at shutdown. */
export interface S3Storage extends Storage {
  close(): void;
}

const ignore = (): void => undefined;
const SILENT_SDK_LOGGER = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
};

/** Reported for listed objects: S3 listings do not carry the content type. */
const LISTING_CONTENT_TYPE = 'application/octet-stream';

/**
 * Storage on any S3-compatible service: Supabase Storage's S3 endpoint, MinIO, R2 or AWS.
 * The SDK's own retries are off (`maxAttempts: 1`): retries, timeouts and the breaker come
 * from `call`, and two retry layers would multiply.
 */
export function createS3Storage(options: S3StorageOptions): S3Storage {
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    forcePathStyle: options.forcePathStyle,
    maxAttempts: 1,
    // Default CRC32 checksums (SDK ≥ 3.729) are rejected by Supabase, R2 and B2.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Without a logger the SDK writes to the console whenever a streamed upload fails; the
    // resilient call already logs every failed attempt.
    logger: SILENT_SDK_LOGGER,
  });
  const prefix = options.bucketPrefix ?? '';
  const physical = (bucket: BucketName) => `${prefix}${bucket}`;
  const isAws = /\.amazonaws\.com(\.cn)?$/.test(new URL(options.endpoint).hostname);

  /** One SDK request through the resilient call, its failures classified. */
  function send<T>(operation: string, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return options.call(operation, async (signal) => {
      try {
        return await request(signal);
      } catch (err) {
        throw toS3Failure(err, operation);
      }
    });
  }

  async function ensureBucket(bucket: BucketName): Promise<void> {
    const name = physical(bucket);
    const exists = await send('headBucket', async (abortSignal) => {
      try {
        await client.send(new HeadBucketCommand({ Bucket: name }), { abortSignal });
        return true;
      } catch (err) {
        if (s3StatusOf(err) === 404) {
          return false;
        }
        throw err;
      }
    });
    if (exists) {
      return;
    }
    await send('createBucket', async (abortSignal) => {
      try {
        await client.send(
          new CreateBucketCommand({
            Bucket: name,
            // AWS outside us-east-1 insists on it; other services may refuse it.
            ...(isAws && options.region !== 'us-east-1'
              ? {
                  CreateBucketConfiguration: {
                    LocationConstraint: options.region as BucketLocationConstraint,
                  },
                }
              : {}),
          }),
          { abortSignal },
        );
      } catch (err) {
        // Another instance created it between our HEAD and CREATE.
        if (!(err instanceof S3ServiceException && err.name === 'BucketAlreadyOwnedByYou')) {
          throw err;
        }
      }
    });
  }

  return {
    async ensureBuckets() {
      for (const bucket of STORAGE_BUCKETS) {
        await ensureBucket(bucket);
      }
    },

    async putObject(input) {
      assertValidKey(input.key);
      assertValidContentLength(input.contentLength);
      return send('putObject', async (abortSignal) => {
        const sent = await putS3Object(client, physical(input.bucket), input, abortSignal);
        return {
          bucket: input.bucket,
          key: input.key,
          size: sent.bytes,
          contentType: input.contentType,
          etag: sent.etag,
          // PUT does not echo the server's timestamp; a HEAD would cost another request.
          lastModified: new Date(),
          cacheControl: input.cacheControl,
          contentEncoding: input.contentEncoding,
        };
      });
    },

    async getObject(bucket, key, range) {
      assertValidKey(key);
      assertValidRange(range);
      return send('getObject', async (abortSignal): Promise<ObjectWithBody | undefined> => {
        try {
          const reply = await client.send(
            new GetObjectCommand({
              Bucket: physical(bucket),
              Key: key,
              Range:
                range === undefined
                  ? undefined
                  : `bytes=${String(range.start)}-${range.end === undefined ? '' : String(range.end)}`,
            }),
            { abortSignal },
          );
          const returned = range === undefined ? undefined : parseContentRange(reply.ContentRange);
          return {
            bucket,
            key,
            size: returned?.size ?? reply.ContentLength ?? 0,
            contentType: reply.ContentType ?? LISTING_CONTENT_TYPE,
            etag: reply.ETag ?? '',
            lastModified: reply.LastModified ?? new Date(0),
            cacheControl: reply.CacheControl,
            contentEncoding: reply.ContentEncoding,
            body: reply.Body as Readable,
            range:
              returned === undefined ? undefined : { start: returned.start, end: returned.end },
          };
        } catch (err) {
          if (isMissingS3Object(err)) {
            return undefined;
          }
          throw err;
        }
      });
    },

    async headObject(bucket, key) {
      assertValidKey(key);
      return send('headObject', async (abortSignal): Promise<StoredObject | undefined> => {
        try {
          const reply = await client.send(
            new HeadObjectCommand({ Bucket: physical(bucket), Key: key }),
            { abortSignal },
          );
          return {
            bucket,
            key,
            size: reply.ContentLength ?? 0,
            contentType: reply.ContentType ?? LISTING_CONTENT_TYPE,
            etag: reply.ETag ?? '',
            lastModified: reply.LastModified ?? new Date(0),
            cacheControl: reply.CacheControl,
            contentEncoding: reply.ContentEncoding,
          };
        } catch (err) {
          // A HEAD reply has no body, so "no such key" arrives only as a bare 404.
          if (s3StatusOf(err) === 404) {
            return undefined;
          }
          throw err;
        }
      });
    },

    async deleteObject(bucket, key) {
      assertValidKey(key);
      // S3 answers 204 for a missing key too, which is the idempotence we promise.
      await send('deleteObject', (abortSignal) =>
        client.send(new DeleteObjectCommand({ Bucket: physical(bucket), Key: key }), {
          abortSignal,
        }),
      );
    },

    async listObjects(bucket, keyPrefix, listOptions = {}) {
      assertValidPrefix(keyPrefix);
      const limit = resolveListLimit(listOptions.limit);
      return send('listObjects', async (abortSignal) => {
        const reply = await client.send(
          new ListObjectsV2Command({
            Bucket: physical(bucket),
            Prefix: keyPrefix === '' ? undefined : keyPrefix,
            MaxKeys: limit,
            StartAfter: listOptions.after,
          }),
          { abortSignal },
        );
        const objects = (reply.Contents ?? []).flatMap((entry): StoredObject[] =>
          entry.Key === undefined
            ? []
            : [
                {
                  bucket,
                  key: entry.Key,
                  size: entry.Size ?? 0,
                  contentType: LISTING_CONTENT_TYPE,
                  etag: entry.ETag ?? '',
                  lastModified: entry.LastModified ?? new Date(0),
                },
              ],
        );
        return {
          objects,
          nextAfter: reply.IsTruncated === true ? objects.at(-1)?.key : undefined,
        };
      });
    },

    async createSignedUrl(bucket, key, expiresInSeconds) {
      assertValidKey(key);
      assertValidExpiry(expiresInSeconds);
      // Signed locally with the access key: no request, so nothing for the breaker to judge.
      return getSignedUrl(client, new GetObjectCommand({ Bucket: physical(bucket), Key: key }), {
        expiresIn: expiresInSeconds,
      });
    },

    close() {
      client.destroy();
    },
  };
}
