import type { Readable } from 'node:stream';

/** Deployed sites, PDF exports, and private TLS material. */
export const STORAGE_BUCKETS = ['portfolios', 'exports', 'certificates'] as const;
export type BucketName = (typeof STORAGE_BUCKETS)[number];

export interface PutObjectInput {
  readonly bucket: BucketName;
  readonly key: string;
  /**
   * The content. A function is called once per attempt and must return a fresh stream, so a
   * retried upload never re-reads a consumed stream.
   */
  readonly body: Uint8Array | (() => Readable);
  /**
   * The body's exact size in bytes, when the caller knows it (e.g. a file on disk). With a
   * stream body it lets an adapter send the stream as it is read instead of buffering it
   * whole first. A body of another length is refused with InvalidInputError (field
   * `contentLength`) and nothing is stored.
   */
  readonly contentLength?: number;
  readonly contentType: string;
  readonly cacheControl?: string;
  readonly contentEncoding?: string;
}

export interface StoredObject {
  readonly bucket: BucketName;
  readonly key: string;
  readonly size: number;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: Date;
  readonly cacheControl?: string | undefined;
  readonly contentEncoding?: string | undefined;
}

export interface ObjectWithBody extends StoredObject {
  readonly body: Readable;
  /** Present when a range was asked for: the bytes returned, inclusive. */
  readonly range?: { readonly start: number; readonly end: number } | undefined;
}

export interface ByteRange {
  readonly start: number;
  /** Inclusive; omitted means to the end. */
  readonly end?: number;
}

export interface ListObjectsResult {
  readonly objects: readonly StoredObject[];
  /** Pass as `after` to continue; undefined when the listing is complete. */
  readonly nextAfter: string | undefined;
}

/**
 * Object storage, as the rest of the service uses it (R-INT-1). Every method refuses an
 * invalid key (see storage-keys.ts) with InvalidInputError before any I/O.
 */
export interface Storage {
  /** Creates the buckets that do not exist yet. */
  ensureBuckets(): Promise<void>;
  putObject(input: PutObjectInput): Promise<StoredObject>;
  /**
   * undefined when the object does not exist. A range starting at or past the end rejects
   * with InvalidInputError (field `range`); an end past the last byte is clamped. The caller
   * must read or destroy `body`, which holds a file or connection open until then.
   */
  getObject(
    bucket: BucketName,
    key: string,
    range?: ByteRange,
  ): Promise<ObjectWithBody | undefined>;
  headObject(bucket: BucketName, key: string): Promise<StoredObject | undefined>;
  /** Deleting a missing object is not an error. */
  deleteObject(bucket: BucketName, key: string): Promise<void>;
  /**
   * Keys starting with `prefix`, in UTF-8 byte order, after the key `after`, at most `limit`
   * (1-1000, default 1000) per page. Entries carry size, etag and lastModified; trust the
   * content type and headers only from headObject/getObject, since S3 listings do not return
   * them (the S3 adapter reports application/octet-stream).
   */
  listObjects(
    bucket: BucketName,
    prefix: string,
    options?: { readonly limit?: number; readonly after?: string },
  ): Promise<ListObjectsResult>;
  /** A URL anyone can GET until it expires (1 s to 7 days: the SigV4 maximum). */
  createSignedUrl(bucket: BucketName, key: string, expiresInSeconds: number): Promise<string>;
}
