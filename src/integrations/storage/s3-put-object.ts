import { addAbortSignal, pipeline, type Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';

import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';

import type { PutObjectInput } from './storage.ts';
import { contentLengthMismatch, createContentLengthCheck } from './storage-content-length.ts';

export interface SentObject {
  /** Bytes sent: the object's size. */
  readonly bytes: number;
  readonly etag: string;
}

type Put = (
  body: NonNullable<PutObjectCommandInput['Body']>,
  length: number,
  signal: AbortSignal,
) => Promise<string>;

/**
 * Streams a body of a declared length straight into the request. The SDK pipes the body into
 * the socket and does not notice when that body fails, so any failure on the way (a wrong
 * length, an unreadable source) aborts the request itself and is what the caller sees.
 */
async function putStream(
  source: Readable,
  expected: number,
  signal: AbortSignal,
  put: Put,
): Promise<string> {
  const controller = new AbortController();
  let bodyFailure: Error | undefined;
  const body = pipeline(source, createContentLengthCheck(expected), (err: unknown) => {
    // Node passes undefined (not the typed null) when the body ended well.
    if (err instanceof Error && bodyFailure === undefined) {
      bodyFailure = err;
      controller.abort(err);
    }
  });
  try {
    const etag = await put(body, expected, AbortSignal.any([signal, controller.signal]));
    // The check holds back the last bytes until the source ends, so S3 cannot have accepted
    // a body that failed it; this is only a guard.
    if (bodyFailure !== undefined) {
      throw bodyFailure;
    }
    return etag;
  } catch (err) {
    throw bodyFailure ?? err;
  } finally {
    // Releases the source (an open file) when the request ended before reading it all.
    body.destroy();
  }
}

/** One PutObject attempt; a stream body function is called once per attempt. */
export async function putS3Object(
  client: S3Client,
  bucket: string,
  input: PutObjectInput,
  abortSignal: AbortSignal,
): Promise<SentObject> {
  const put: Put = async (body, length, signal) => {
    const reply = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: input.key,
        Body: body,
        ContentLength: length,
        ContentType: input.contentType,
        CacheControl: input.cacheControl,
        ContentEncoding: input.contentEncoding,
      }),
      { abortSignal: signal },
    );
    return reply.ETag ?? '';
  };
  const expected = input.contentLength;
  if (typeof input.body === 'function' && expected !== undefined) {
    return { bytes: expected, etag: await putStream(input.body(), expected, abortSignal, put) };
  }
  // Without a declared length a stream is read whole: a PUT needs its Content-Length up front
  // (s3rver and some gateways refuse chunked uploads).
  const body =
    typeof input.body === 'function'
      ? await buffer(addAbortSignal(abortSignal, input.body()))
      : input.body;
  if (expected !== undefined && expected !== body.byteLength) {
    throw contentLengthMismatch(expected, String(body.byteLength));
  }
  return { bytes: body.byteLength, etag: await put(body, body.byteLength, abortSignal) };
}
