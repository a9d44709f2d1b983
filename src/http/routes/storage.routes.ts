import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import type { Context } from 'hono';

import { ForbiddenError, NotFoundError } from '../../errors/app-error.ts';
import { verifyStorageSignature } from '../../integrations/storage/local-storage.ts';
import type { BucketName, Storage, StoredObject } from '../../integrations/storage/storage.ts';
import type { AppEnv } from '../app-env.ts';
import { createRouter } from '../create-router.ts';
import { createProblem, problemResponse } from '../problem.ts';

export interface StorageRoutesOptions {
  readonly storage: Storage;
  /** The secret the local storage adapter signs its URLs with. */
  readonly signingSecret: string;
  /** Clock for expiry, in milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** Private TLS material ('certificates') is never handed out by URL, signed or not. */
const SERVABLE_BUCKETS: ReadonlySet<string> = new Set<BucketName>(['exports', 'portfolios']);

type RangeRequest =
  | { readonly kind: 'whole' }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'part'; readonly start: number; readonly end: number };

/**
 * One `bytes=` range against an object of `size` bytes (RFC 9110 §14.1.2). Several ranges or a
 * malformed header are ignored and the whole object is sent, which the RFC permits.
 */
export function parseRangeHeader(header: string | undefined, size: number): RangeRequest {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (match === null) {
    return { kind: 'whole' };
  }
  const [, first = '', last = ''] = match;
  if (first === '') {
    // A suffix range: the last N bytes.
    const length = Number(last);
    if (last === '') {
      return { kind: 'whole' };
    }
    return length === 0 || size === 0
      ? { kind: 'unsatisfiable' }
      : { kind: 'part', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) {
    return { kind: 'whole' };
  }
  return start >= size ? { kind: 'unsatisfiable' } : { kind: 'part', start, end };
}

/** The key as signed: the path after `/storage/<bucket>/`, each segment percent-decoded. */
function keyOf(url: string, bucket: string): string | undefined {
  const path = new URL(url).pathname;
  const marker = `/storage/${bucket}/`;
  const at = path.indexOf(marker);
  if (at === -1) {
    return undefined;
  }
  try {
    return path
      .slice(at + marker.length)
      .split('/')
      .map(decodeURIComponent)
      .join('/');
  } catch {
    return undefined;
  }
}

function objectHeaders(object: StoredObject): Record<string, string> {
  return {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    // Signed links are per person: shared caches keep nothing unless the object says so.
    'cache-control': object.cacheControl ?? 'private',
    'accept-ranges': 'bytes',
    ...(object.contentEncoding === undefined ? {} : { 'content-encoding': object.contentEncoding }),
  };
}

/** 416 with the size, so the client can ask again within it (RFC 9110 §15.5.17). */
function rangeNotSatisfiable(c: Context<AppEnv>, size: number): Response {
  return problemResponse(
    createProblem({
      status: 416,
      code: 'request.invalid',
      detail: `The range starts beyond the end of the object (${String(size)} bytes).`,
      instance: c.req.path,
      requestId: c.get('requestId'),
    }),
    { 'content-range': `bytes */${String(size)}` },
  );
}

/**
 * Serves the local storage adapter's signed URLs: `GET /storage/<bucket>/<key>?expires=&
 * signature=`. Every request is checked against the signature and its expiry before storage
 * is touched; ranges give 206 so PDFs and media can be read in parts.
 */
export function storageRoutes(options: StorageRoutesOptions) {
  const { storage, signingSecret } = options;
  const now = options.now ?? Date.now;
  const router = createRouter();

  router.get('/storage/:bucket/*', async (c) => {
    const bucket = c.req.param('bucket');
    if (!SERVABLE_BUCKETS.has(bucket)) {
      throw new NotFoundError('route.not_found', 'No such object.');
    }
    const servable = bucket as BucketName;
    const key = keyOf(c.req.url, bucket);
    const signed =
      key !== undefined &&
      verifyStorageSignature(
        {
          bucket,
          key,
          expires: c.req.query('expires') ?? '',
          signature: c.req.query('signature') ?? '',
        },
        signingSecret,
        now(),
      );
    if (!signed) {
      throw new ForbiddenError('auth.forbidden', 'The link is invalid or has expired.');
    }

    // HEAD gets the headers only: opening a body nobody reads would hold a file open.
    if (c.req.method === 'HEAD') {
      const head = await storage.headObject(servable, key);
      if (head === undefined) {
        throw new NotFoundError('route.not_found', 'No such object.');
      }
      return c.body(null, 200, { ...objectHeaders(head), 'content-length': String(head.size) });
    }

    let range: RangeRequest = { kind: 'whole' };
    const rangeHeader = c.req.header('range');
    const ifRange = c.req.header('if-range');
    if (rangeHeader !== undefined) {
      const head = await storage.headObject(servable, key);
      if (head === undefined) {
        throw new NotFoundError('route.not_found', 'No such object.');
      }
      // If-Range names the version the client holds parts of; another version is sent whole.
      if (ifRange === undefined || ifRange === head.etag) {
        range = parseRangeHeader(rangeHeader, head.size);
      }
      if (range.kind === 'unsatisfiable') {
        return rangeNotSatisfiable(c, head.size);
      }
    }

    const object = await storage.getObject(
      servable,
      key,
      range.kind === 'part' ? { start: range.start, end: range.end } : undefined,
    );
    if (object === undefined) {
      throw new NotFoundError('route.not_found', 'No such object.');
    }
    const body = Readable.toWeb(object.body) as WebReadableStream<Uint8Array> as ReadableStream;
    const headers = objectHeaders(object);
    if (object.range === undefined) {
      return c.body(body, 200, { ...headers, 'content-length': String(object.size) });
    }
    const { start, end } = object.range;
    return c.body(body, 206, {
      ...headers,
      'content-length': String(end - start + 1),
      'content-range': `bytes ${String(start)}-${String(end)}/${String(object.size)}`,
    });
  });

  return router;
}
