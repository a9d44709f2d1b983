import { describe, expect, it } from 'vitest';

import { createMemoryStorage } from '../../../test/support/fakes/memory-storage.ts';
import { IntegrationFailure } from '../../integrations/resilience/integration-errors.ts';
import type { PutObjectInput, Storage } from '../../integrations/storage/storage.ts';
import { SEED_TEMPLATES } from '../templates/seed-templates.ts';
import { buildSite, type BuiltSite } from './site-builder.ts';
import {
  findStoredSiteObjects,
  listSiteObjects,
  selectObjectsToUpload,
  uploadSiteObjects,
} from './site-upload.ts';

const PORTFOLIO_ID = '9a1d7a3e-2f37-45a4-8d0e-6a1e7c4b5d22';
const DEPLOYMENT_ID = '3f0c2a52-5a43-4b8e-9d43-0f4b8f1e2a11';
const TEMPLATE = SEED_TEMPLATES[0]!;

async function sampleSite(): Promise<BuiltSite> {
  return buildSite({
    portfolio: {
      id: PORTFOLIO_ID,
      title: 'Jane',
      slug: 'jane',
      content: { profile: { name: 'Jane' }, links: [], sections: [] },
    },
    template: { slug: TEMPLATE.slug, source: TEMPLATE.source, css: TEMPLATE.css },
    siteUrl: 'http://jane.localhost:3000/',
    generatedAt: new Date('2025-01-01T00:00:00.000Z'),
  });
}

/** Memory storage whose PUTs are recorded and may be told to fail. */
function recordingStorage(failKey?: (key: string) => boolean) {
  const storage = createMemoryStorage();
  const puts: PutObjectInput[] = [];
  const wrapped: Pick<Storage, 'putObject' | 'listObjects'> = {
    listObjects: (...args) => storage.listObjects(...args),
    async putObject(input) {
      puts.push(input);
      if (failKey?.(input.key) === true) {
        throw new IntegrationFailure('storage', 'storage call failed', { kind: 'retryable' });
      }
      return storage.putObject(input);
    },
  };
  return { storage, wrapped, puts };
}

describe(listSiteObjects.name, () => {
  it('lists every file in three encodings with its headers (R-JOB-2)', async () => {
    const site = await sampleSite();

    const objects = listSiteObjects(PORTFOLIO_ID, DEPLOYMENT_ID, site);

    expect(objects).toHaveLength(site.files.length * 3);
    const index = objects.filter((object) => object.path === 'index.html');
    expect(index.map((object) => [object.key, object.contentEncoding])).toEqual([
      [`${PORTFOLIO_ID}/${DEPLOYMENT_ID}/identity/index.html`, undefined],
      [`${PORTFOLIO_ID}/${DEPLOYMENT_ID}/gzip/index.html`, 'gzip'],
      [`${PORTFOLIO_ID}/${DEPLOYMENT_ID}/br/index.html`, 'br'],
    ]);
    expect(index.every((object) => object.contentType === 'text/html; charset=utf-8')).toBe(true);
  });
});

describe(selectObjectsToUpload.name, () => {
  it('skips objects already stored with their size and keeps the rest', async () => {
    const objects = listSiteObjects(PORTFOLIO_ID, DEPLOYMENT_ID, await sampleSite());
    const [first, second] = objects;
    const stored = new Map([
      [first!.key, first!.body.length],
      [second!.key, second!.body.length + 1],
    ]);

    const missing = selectObjectsToUpload(objects, stored);

    expect(missing.map((object) => object.key)).not.toContain(first!.key);
    expect(missing.map((object) => object.key)).toContain(second!.key);
    expect(missing).toHaveLength(objects.length - 1);
  });
});

describe(uploadSiteObjects.name, () => {
  it('stores every object once and reports each one', async () => {
    const objects = listSiteObjects(PORTFOLIO_ID, DEPLOYMENT_ID, await sampleSite());
    const { storage, wrapped, puts } = recordingStorage();
    const reported: number[] = [];

    await uploadSiteObjects(wrapped, {
      objects,
      concurrency: 3,
      signal: new AbortController().signal,
      onStored: (count) => {
        reported.push(count);
        return Promise.resolve();
      },
    });

    expect(puts).toHaveLength(objects.length);
    expect(storage.keys('portfolios')).toHaveLength(objects.length);
    expect(reported).toEqual(objects.map((_, index) => index + 1));
    expect(puts.find((put) => put.key.includes('/gzip/'))?.contentEncoding).toBe('gzip');
  });

  it('starts no new PUT after a failure, then throws it', async () => {
    const objects = listSiteObjects(PORTFOLIO_ID, DEPLOYMENT_ID, await sampleSite());
    const failing = objects[1]!.key;
    const { wrapped, puts } = recordingStorage((key) => key === failing);

    await expect(
      uploadSiteObjects(wrapped, {
        objects,
        concurrency: 1,
        signal: new AbortController().signal,
      }),
    ).rejects.toBeInstanceOf(IntegrationFailure);

    expect(puts.map((put) => put.key)).toEqual([objects[0]!.key, failing]);
  });

  it('checks before each batch of PUTs and stops once a check refuses (a superseded run)', async () => {
    const objects = listSiteObjects(PORTFOLIO_ID, DEPLOYMENT_ID, await sampleSite());
    const { wrapped, puts } = recordingStorage();
    let checks = 0;
    const superseded = new Error('taken over by a newer run');

    const upload = uploadSiteObjects(wrapped, {
      objects,
      concurrency: 2,
      signal: new AbortController().signal,
      beforeBatch: () => {
        checks += 1;
        return checks === 1 ? Promise.resolve() : Promise.reject(superseded);
      },
    });

    await expect(upload).rejects.toBe(superseded);
    expect(checks).toBe(2);
    expect(puts.map((put) => put.key)).toEqual([objects[0]!.key, objects[1]!.key]);
  });

  it('runs one check per batch of `concurrency` PUTs', async () => {
    const objects = listSiteObjects(PORTFOLIO_ID, DEPLOYMENT_ID, await sampleSite()).slice(0, 7);
    const { wrapped, puts } = recordingStorage();
    let checks = 0;

    await uploadSiteObjects(wrapped, {
      objects,
      concurrency: 3,
      signal: new AbortController().signal,
      beforeBatch: () => {
        checks += 1;
        return Promise.resolve();
      },
    });

    expect(puts).toHaveLength(7);
    expect(checks).toBe(3);
  });

  it('starts nothing once the worker is stopping', async () => {
    const objects = listSiteObjects(PORTFOLIO_ID, DEPLOYMENT_ID, await sampleSite());
    const { wrapped, puts } = recordingStorage();
    const stopping = new AbortController();
    stopping.abort(new Error('the worker is shutting down'));

    await expect(
      uploadSiteObjects(wrapped, { objects, concurrency: 2, signal: stopping.signal }),
    ).rejects.toThrow('shutting down');

    expect(puts).toHaveLength(0);
  });
});

describe(findStoredSiteObjects.name, () => {
  it("finds what an earlier attempt stored under the deployment's prefix only", async () => {
    const objects = listSiteObjects(PORTFOLIO_ID, DEPLOYMENT_ID, await sampleSite());
    const { storage, wrapped } = recordingStorage();
    await uploadSiteObjects(wrapped, {
      objects: objects.slice(0, 4),
      concurrency: 2,
      signal: new AbortController().signal,
    });
    await storage.putObject({
      bucket: 'portfolios',
      key: `${PORTFOLIO_ID}/other-deployment/identity/index.html`,
      body: Buffer.from('x'),
      contentType: 'text/plain',
    });

    const stored = await findStoredSiteObjects(storage, PORTFOLIO_ID, DEPLOYMENT_ID);

    expect([...stored.keys()].sort()).toEqual(
      objects
        .slice(0, 4)
        .map((o) => o.key)
        .sort(),
    );
    expect(stored.get(objects[0]!.key)).toBe(objects[0]!.body.length);
  });
});
