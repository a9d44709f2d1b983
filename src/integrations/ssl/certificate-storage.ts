import type { Readable } from 'node:stream';

import type { Storage } from '../storage/storage.ts';

const BUCKET = 'certificates';
const PEM_CONTENT_TYPE = 'application/x-pem-file';

async function readAll(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The PEM text stored under `key` in the certificates bucket, or undefined. */
export async function findPem(storage: Storage, key: string): Promise<string | undefined> {
  const object = await storage.getObject(BUCKET, key);
  return object === undefined ? undefined : readAll(object.body);
}

export async function putPem(storage: Storage, key: string, pem: string): Promise<void> {
  await storage.putObject({
    bucket: BUCKET,
    key,
    body: Buffer.from(pem, 'utf8'),
    contentType: PEM_CONTENT_TYPE,
    cacheControl: 'no-store',
  });
}

/**
 * The PEM under `key`, created by `create` when absent. The port has no write-if-absent, so
 * after writing we read back and use what is stored: when two processes create at the same
 * moment, the last write wins and both (and every later reader) converge on that one copy.
 */
export async function findOrCreatePem(
  storage: Storage,
  key: string,
  create: () => Promise<string>,
): Promise<string> {
  const existing = await findPem(storage, key);
  if (existing !== undefined) {
    return existing;
  }
  const created = await create();
  await putPem(storage, key, created);
  return (await findPem(storage, key)) ?? created;
}

/**
 * Runs `load` once at a time: callers arriving while a load is in flight share its result,
 * so concurrent first uses in one process create one object, not one each.
 */
export function coalesce<T>(load: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
