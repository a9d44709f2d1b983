import { Queue } from 'bullmq';
import { pino } from 'pino';
import { z } from 'zod';

import {
  bullRedisOptions,
  createBullConnection,
} from '../../../src/jobs/create-bull-connection.ts';
import { createJobProducer, type JobProducer } from '../../../src/jobs/create-job-producer.ts';
import type { JobCatalog, QueueName } from '../../../src/jobs/job-catalog.ts';
import type { JobHandlers } from '../../../src/jobs/job-handler.ts';
import { startWorkers, type WorkerHost } from '../../../src/jobs/start-workers.ts';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const logger = pino({ level: 'silent' });

/** Jobs of the tests' own; every file runs them under its own BullMQ prefix. */
export const TEST_CATALOG = {
  'test.echo': {
    queue: 'webhooks',
    payload: z.object({ value: z.string().min(1) }),
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 150 },
    keepCompleted: { ageSeconds: 3_600, count: 2 },
    keepFailed: { ageSeconds: 86_400, count: 50 },
  },
  'test.render': {
    queue: 'pdf',
    payload: z.object({ pages: z.number().int().positive() }),
    attempts: 4,
    backoff: { type: 'fixed', delayMs: 100 },
    keepCompleted: { ageSeconds: 600, count: 10 },
    keepFailed: { ageSeconds: 1_200, count: 20 },
  },
} as const satisfies JobCatalog;
export type TestCatalog = typeof TEST_CATALOG;

export const CONCURRENCY = { deployments: 1, pdf: 2, webhooks: 2 } as const;

export function createTestProducer(
  prefix: string,
  options: { readonly url?: string; readonly addTimeoutMs?: number } = {},
): JobProducer<TestCatalog> {
  const url = options.url ?? REDIS_URL;
  return createJobProducer({
    catalog: TEST_CATALOG,
    connection: createBullConnection({ url, role: 'producer', logger }),
    prefix,
    addTimeoutMs: options.addTimeoutMs ?? 2_000,
    logger,
  });
}

export function startTestWorkers<C extends JobCatalog = TestCatalog>(
  prefix: string,
  handlers: JobHandlers<C>,
  options: Partial<Parameters<typeof startWorkers<C>>[0]> & { readonly catalog?: C } = {},
): WorkerHost {
  return startWorkers<C>({
    catalog: (options.catalog ?? TEST_CATALOG) as C,
    handlers,
    connection: bullRedisOptions({ url: REDIS_URL, role: 'worker' }),
    prefix,
    concurrency: CONCURRENCY,
    logger,
    ...options,
  });
}

/** A plain BullMQ queue for inspecting state (and adding jobs past the producer's checks). */
export function openQueue(prefix: string, name: QueueName, url = REDIS_URL): Queue {
  return new Queue(name, { connection: { url }, prefix });
}

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls a synchronous condition (what handlers recorded) until it holds. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5_000, what = 'condition') {
  await waitFor(() => Promise.resolve(condition() ? true : undefined), timeoutMs, what);
}

/** Waits for a job to reach `state` and returns it. */
export async function waitForJobState(
  queue: Queue,
  jobId: string,
  state: 'completed' | 'failed' | 'waiting' | 'active',
  timeoutMs = 5_000,
) {
  return waitFor(
    async () =>
      (await queue.getJobState(jobId)) === state ? await queue.getJob(jobId) : undefined,
    timeoutMs,
    `job ${jobId} to be ${state}`,
  );
}
