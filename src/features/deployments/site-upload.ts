import type { Storage } from '../../integrations/storage/storage.ts';
import {
  deploymentPrefix,
  SITE_BUCKET,
  SITE_ENCODINGS,
  type SiteEncoding,
  siteObjectKey,
} from '../sites/site-storage-layout.ts';
import type { BuiltSite } from './site-builder.ts';

/** One object to store: one file of the site in one encoding. */
export interface SiteObject {
  readonly key: string;
  readonly path: string;
  readonly encoding: SiteEncoding;
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
  /** undefined for the plain body: `Content-Encoding: identity` is not sent (RFC 9110 §8.4.1). */
  readonly contentEncoding: 'gzip' | 'br' | undefined;
}

/** Every object of a built site, in a stable order: each file, then its encodings. */
export function listSiteObjects(
  portfolioId: string,
  deploymentId: string,
  site: BuiltSite,
): SiteObject[] {
  return [...site.files]
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .flatMap((file) =>
      SITE_ENCODINGS.map((encoding): SiteObject => {
        const common = {
          key: siteObjectKey(portfolioId, deploymentId, file.path, encoding),
          path: file.path,
          encoding,
          contentType: file.contentType,
          cacheControl: file.cacheControl,
        };
        switch (encoding) {
          case 'identity':
            return { ...common, body: file.body, contentEncoding: undefined };
          case 'gzip':
            return { ...common, body: file.gzip, contentEncoding: 'gzip' };
          case 'br':
            return { ...common, body: file.brotli, contentEncoding: 'br' };
        }
      }),
    );
}

/** Key → size of what an earlier attempt already stored under the deployment's prefix. */
export async function findStoredSiteObjects(
  storage: Pick<Storage, 'listObjects'>,
  portfolioId: string,
  deploymentId: string,
): Promise<ReadonlyMap<string, number>> {
  const stored = new Map<string, number>();
  const prefix = deploymentPrefix(portfolioId, deploymentId);
  let after: string | undefined;
  do {
    const page = await storage.listObjects(SITE_BUCKET, prefix, {
      ...(after === undefined ? {} : { after }),
    });
    for (const object of page.objects) {
      stored.set(object.key, object.size);
    }
    after = page.nextAfter;
  } while (after !== undefined);
  return stored;
}

/**
 * Objects still to store. A PUT is atomic, so an object listed with the expected size is the
 * one an earlier attempt wrote (keys hold the deployment id; nothing else writes there).
 */
export function selectObjectsToUpload(
  objects: readonly SiteObject[],
  stored: ReadonlyMap<string, number>,
): SiteObject[] {
  return objects.filter((object) => stored.get(object.key) !== object.body.length);
}

export interface UploadSiteOptions {
  readonly objects: readonly SiteObject[];
  /** Parallel PUTs. */
  readonly concurrency: number;
  /** Checked before each PUT: a stopping worker starts no new upload. */
  readonly signal: AbortSignal;
  /** Called after each stored object, one call at a time. */
  readonly onStored?: (storedCount: number) => Promise<void>;
  /**
   * Called before the first PUT and again before each further `concurrency` PUTs; those PUTs
   * wait for it, and a rejection stops the upload like a failed PUT. The deployment run
   * checks here that it still owns the deployment.
   */
  readonly beforeBatch?: () => Promise<void>;
}

/**
 * Stores the objects, `concurrency` at a time. On the first failure no new PUT starts; the
 * ones in flight finish (so their outcome is known) before the failure is thrown.
 */
export async function uploadSiteObjects(
  storage: Pick<Storage, 'putObject'>,
  options: UploadSiteOptions,
): Promise<void> {
  const queue = [...options.objects];
  const batchSize = Math.max(1, options.concurrency);
  let startedCount = 0;
  let batchCheck = Promise.resolve();
  let storedCount = 0;
  let failure: { readonly error: unknown } | undefined;
  let reporting = Promise.resolve();

  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (failure !== undefined) {
        return;
      }
      const object = next;
      try {
        options.signal.throwIfAborted();
        // Assigned before any await, so one worker starts each batch's check and the others
        // in that batch wait for the same one.
        if (options.beforeBatch !== undefined && startedCount % batchSize === 0) {
          batchCheck = options.beforeBatch();
        }
        startedCount += 1;
        await batchCheck;
        await storage.putObject({
          bucket: SITE_BUCKET,
          key: object.key,
          body: object.body,
          contentType: object.contentType,
          cacheControl: object.cacheControl,
          ...(object.contentEncoding === undefined
            ? {}
            : { contentEncoding: object.contentEncoding }),
        });
        storedCount += 1;
        const count = storedCount;
        const report = options.onStored;
        if (report !== undefined) {
          reporting = reporting.then(() => report(count));
          await reporting;
        }
      } catch (error) {
        failure ??= { error };
        return;
      }
    }
  };

  const workers = Math.max(1, Math.min(options.concurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure !== undefined) {
    throw failure.error;
  }
}
