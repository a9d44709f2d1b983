import { readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  bullRedisOptions,
  createBullConnection,
} from '../../../src/jobs/create-bull-connection.ts';
import { createJobProducer, type JobProducer } from '../../../src/jobs/create-job-producer.ts';
import type { JobCatalog } from '../../../src/jobs/job-catalog.ts';
import {
  createOutboxRelay,
  type OutboxRelay,
} from '../../../src/jobs/outbox/create-outbox-relay.ts';
import { startWorkers, type WorkerHost } from '../../../src/jobs/start-workers.ts';
import { seededTemplateId } from '../../support/factories.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import {
  CONCURRENCY,
  logger,
  openQueue,
  REDIS_URL,
  waitFor,
  waitForJobState,
} from '../jobs/job-test-support.ts';
import {
  createExportDirectories,
  createPortfolio,
  EXPORT_TEST_CATALOG,
  type ExportBody,
  wireExports,
} from './export-test-support.ts';

// The catalog's attempts (3), with the 2 s / 4 s waits cut short: this file is about the
// outcome of the last attempt, not the delays.
const EXPORT_CATALOG = {
  ...EXPORT_TEST_CATALOG,
  'export.render': {
    ...EXPORT_TEST_CATALOG['export.render'],
    backoff: { type: 'fixed', delayMs: 50 },
  },
} as const satisfies JobCatalog;

const prefix = uniqueQueuePrefix();
let directories: Awaited<ReturnType<typeof createExportDirectories>>;
let ctx: TestContext;
let owner: TestUser;
let templateId: string;
let producer: JobProducer<typeof EXPORT_CATALOG>;
let relay: OutboxRelay;
let workers: WorkerHost;

/** A port nothing listens on: every storage call is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') {
    throw new Error('no port');
  }
  return address.port;
}

interface StatusSample {
  readonly status: string;
  readonly attempt: number;
}

async function runToEnd(exportId: string) {
  const samples: StatusSample[] = [];
  const row = await waitFor(
    async () => {
      const current = await ctx.deps.database.db
        .selectFrom('exports')
        .select(['status', 'attempt', 'error_code', 'error_message', 'finished_at', 'storage_key'])
        .where('id', '=', exportId)
        .executeTakeFirstOrThrow();
      const last = samples.at(-1);
      if (last?.status !== current.status || last.attempt !== current.attempt) {
        samples.push({ status: current.status, attempt: current.attempt });
      }
      return current.status === 'READY' || current.status === 'FAILED' ? current : undefined;
    },
    20_000,
    'the export to end',
  );
  return { row, samples };
}

async function mailCount(): Promise<number> {
  try {
    return (await readdir(directories.outbox)).length;
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  directories = await createExportDirectories();
  ctx = await createTestContext({
    ...directories.overrides,
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: `http://127.0.0.1:${String(await closedPort())}`,
    S3_ACCESS_KEY_ID: 'test-access-key',
    S3_SECRET_ACCESS_KEY: 'test-secret-key',
    RETRY_COUNT: '1',
    RETRY_BASE_DELAY_MS: '1',
    RETRY_MAX_DELAY_MS: '5',
  });
  owner = await ctx.createUser();
  templateId = await seededTemplateId(ctx, owner);
  producer = createJobProducer({
    catalog: EXPORT_CATALOG,
    connection: createBullConnection({ url: REDIS_URL, role: 'producer', logger }),
    prefix,
    logger,
  });
  relay = createOutboxRelay({
    db: ctx.deps.database.db,
    producer,
    logger,
    listenUrl: ctx.config.postgres.directUrl,
  });
  await relay.start();
  workers = startWorkers({
    catalog: EXPORT_CATALOG,
    handlers: wireExports(ctx).handlers,
    connection: bullRedisOptions({ url: REDIS_URL, role: 'worker' }),
    prefix,
    concurrency: CONCURRENCY,
    logger,
  });
  await workers.waitUntilReady();
});

afterAll(async () => {
  await workers.close();
  await relay.close();
  await producer.close();
  await deleteQueueKeys(REDIS_URL, prefix);
  await ctx.close();
  await rm(directories.root, { recursive: true, force: true });
});

describe('export.render when it cannot finish (R-JOB-6, R-JOB-7)', () => {
  it('retries a storage outage and ends FAILED after the last attempt, without a mail', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);
    const queued = await ctx.request<ExportBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/exports`,
      {
        token: owner.token,
      },
    );

    const { row, samples } = await runToEnd(queued.body.id);

    expect(row).toMatchObject({ status: 'FAILED', attempt: 3, storage_key: null });
    expect(row.error_code).toBe('storage.unavailable');
    expect(row.error_message).not.toBe('');
    expect(row.finished_at).not.toBeNull();
    expect(samples.filter((sample) => sample.status === 'FAILED')).toEqual([
      { status: 'FAILED', attempt: 3 },
    ]);
    const queue = openQueue(prefix, 'pdf');
    try {
      const job = await waitForJobState(queue, queued.body.id, 'failed');
      expect(job.attemptsMade).toBe(3);
    } finally {
      await queue.close();
    }
    expect(await mailCount()).toBe(0);
    const view = await ctx.request<ExportBody>('GET', `/api/exports/${queued.body.id}`, {
      token: owner.token,
    });
    expect(view.body).toMatchObject({
      status: 'FAILED',
      downloadUrl: null,
      error: { code: 'storage.unavailable' },
    });
  });

  it('fails at once, on the first attempt, when the portfolio was deleted meanwhile', async () => {
    const portfolio = await createPortfolio(ctx, owner, templateId);
    await relay.close();
    const queued = await ctx.request<ExportBody>(
      'POST',
      `/api/portfolios/${portfolio.id}/exports`,
      {
        token: owner.token,
      },
    );
    const deleted = await ctx.request('DELETE', `/api/portfolios/${portfolio.id}`, {
      token: owner.token,
    });
    expect(deleted.status).toBe(204);
    relay = createOutboxRelay({ db: ctx.deps.database.db, producer, logger, pollIntervalMs: 50 });
    await relay.start();

    const { row } = await runToEnd(queued.body.id);

    expect(row).toMatchObject({ status: 'FAILED', attempt: 1, error_code: 'portfolio.not_found' });
    expect(await mailCount()).toBe(0);
  });
});
