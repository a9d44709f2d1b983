import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import { NotFoundError } from '../../errors/app-error.ts';
import type { ExportRun } from '../../features/exports/export-renderer.ts';
import { IntegrationUnavailableError } from '../../integrations/resilience/integration-errors.ts';
import type { JobContext } from '../job-handler.ts';
import { createRenderExportJob } from './render-export.job.ts';

const EXPORT_ID = '6f1f0d3e-8d7a-4c36-9a55-0d2a7d1f3b10';

interface RecordedFailure {
  readonly code: string;
  readonly message: string;
  readonly final: boolean;
  readonly attempt: number;
}

function createContext(overrides: Partial<JobContext> = {}) {
  const progress: number[] = [];
  const context: JobContext = {
    jobName: 'export.render',
    jobId: EXPORT_ID,
    attempt: 1,
    maxAttempts: 3,
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    updateProgress: (percent) => {
      progress.push(percent);
      return Promise.resolve();
    },
    ...overrides,
  };
  return { context, progress };
}

function createJob(render: (run: ExportRun) => Promise<void>) {
  const failures: RecordedFailure[] = [];
  const job = createRenderExportJob({
    async renderExport(_exportId, run) {
      await render(run);
      return { status: 'done' };
    },
    recordFailure(_exportId, failure) {
      failures.push(failure);
      return Promise.resolve();
    },
  });
  return { job, failures };
}

describe(createRenderExportJob.name, () => {
  it('passes the attempt on and forwards stored progress to the queue', async () => {
    const attempts: number[] = [];
    const { job, failures } = createJob(async (run) => {
      attempts.push(run.attempt);
      await run.onProgress?.(42);
    });
    const { context, progress } = createContext({ attempt: 2 });

    const outcome = await job({ exportId: EXPORT_ID }, context);

    expect(outcome).toEqual({ status: 'done' });
    expect(attempts).toEqual([2]);
    expect(progress).toEqual([42]);
    expect(failures).toEqual([]);
  });

  it('records a retryable failure as not final while attempts remain, and rethrows it', async () => {
    const outage = new IntegrationUnavailableError('storage', 'storage is unavailable');
    const { job, failures } = createJob(() => Promise.reject(outage));

    await expect(job({ exportId: EXPORT_ID }, createContext().context)).rejects.toBe(outage);

    expect(failures).toEqual([
      {
        code: 'storage.unavailable',
        message: 'The file storage service is unavailable right now.',
        final: false,
        attempt: 1,
      },
    ]);
  });

  it('records the failure of the last attempt as final, without its internal message', async () => {
    const refused = new Error('connect ECONNREFUSED 10.0.4.7:5432');
    const { job, failures } = createJob(() => Promise.reject(refused));
    const { context } = createContext({ attempt: 3, maxAttempts: 3 });

    await expect(job({ exportId: EXPORT_ID }, context)).rejects.toBe(refused);

    expect(failures).toEqual([
      {
        code: 'export.internal',
        message: 'An unexpected error interrupted the export.',
        final: true,
        attempt: 3,
      },
    ]);
  });

  it('records a failure another attempt cannot fix as final on the first attempt', async () => {
    const gone = new NotFoundError('portfolio.not_found', 'The portfolio was deleted.');
    const { job, failures } = createJob(() => Promise.reject(gone));

    await expect(job({ exportId: EXPORT_ID }, createContext().context)).rejects.toBe(gone);

    expect(failures).toMatchObject([{ code: 'portfolio.not_found', final: true }]);
  });

  it('records nothing when the worker is stopping and hands the job back', async () => {
    const controller = new AbortController();
    controller.abort();
    const { job, failures } = createJob(() => Promise.reject(new Error('aborted')));

    await expect(
      job({ exportId: EXPORT_ID }, createContext({ signal: controller.signal }).context),
    ).rejects.toThrow('aborted');

    expect(failures).toEqual([]);
  });
});
