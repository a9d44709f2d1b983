import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import type {
  DeploymentRunOptions,
  DeploymentRunOutcome,
} from '../../features/deployments/deployment-runner.ts';
import { DeferJobError } from '../defer-job-error.ts';
import { isRetryableJobError } from '../is-retryable-job-error.ts';
import type { JobContext } from '../job-handler.ts';
import { PermanentJobError } from '../permanent-job-error.ts';
import { createRunDeploymentJob } from './run-deployment.job.ts';

const DEPLOYMENT_ID = '3f0c2a52-5a43-4b8e-9d43-0f4b8f1e2a11';

function context(overrides: Partial<JobContext> = {}): JobContext & { progress: number[] } {
  const progress: number[] = [];
  return {
    jobName: 'deployment.run',
    jobId: DEPLOYMENT_ID,
    attempt: 2,
    maxAttempts: 4,
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    updateProgress: (percent) => {
      progress.push(percent);
      return Promise.resolve();
    },
    progress,
    ...overrides,
  };
}

function handlerReturning(outcome: DeploymentRunOutcome) {
  const calls: { id: string; options: DeploymentRunOptions }[] = [];
  const handler = createRunDeploymentJob({
    runner: {
      async run(id, options) {
        calls.push({ id, options });
        await options.reportProgress?.(40);
        return outcome;
      },
    },
  });
  return { handler, calls };
}

const FAILURE = { code: 'storage.failed', message: 'storage call failed', retryable: true };

describe(createRunDeploymentJob.name, () => {
  it('passes the attempt, the limit, the abort signal and progress to the runner', async () => {
    const { handler, calls } = handlerReturning({ kind: 'deployed', siteUrl: 'http://x/' });
    const ctx = context();

    const outcome = await handler({ deploymentId: DEPLOYMENT_ID }, ctx);

    expect(outcome).toEqual({ status: 'done' });
    expect(calls[0]?.id).toBe(DEPLOYMENT_ID);
    expect(calls[0]?.options).toMatchObject({ attempt: 2, maxAttempts: 4, signal: ctx.signal });
    expect(ctx.progress).toEqual([40]);
  });

  it('reports a skipped run as skipped', async () => {
    const { handler } = handlerReturning({ kind: 'skipped', reason: 'already DEPLOYED' });

    await expect(handler({ deploymentId: DEPLOYMENT_ID }, context())).resolves.toEqual({
      status: 'skipped',
      reason: 'already DEPLOYED',
    });
  });

  it('throws a retryable error while attempts remain, so the queue backs off (R-JOB-4)', async () => {
    const { handler } = handlerReturning({ kind: 'retry', failure: FAILURE });

    const error: unknown = await handler({ deploymentId: DEPLOYMENT_ID }, context()).catch(
      (err: unknown) => err,
    );

    expect(isRetryableJobError(error)).toBe(true);
    expect(String(error)).toContain('storage.failed');
  });

  it('defers the job until a rate limit ends instead of using an attempt', async () => {
    const blockedUntil = Date.now() + 300_000;
    const { handler } = handlerReturning({
      kind: 'retry',
      failure: { ...FAILURE, code: 'dns.rate_limited', blockedUntil },
    });

    const error: unknown = await handler({ deploymentId: DEPLOYMENT_ID }, context()).catch(
      (err: unknown) => err,
    );

    expect(error).toBeInstanceOf(DeferJobError);
    expect((error as DeferJobError).untilMs).toBe(blockedUntil);
  });

  it('throws a PermanentJobError for a final failure, so no attempt follows', async () => {
    const { handler } = handlerReturning({
      kind: 'failed',
      failure: { ...FAILURE, code: 'deployment.content_invalid', retryable: false },
    });

    const error: unknown = await handler({ deploymentId: DEPLOYMENT_ID }, context()).catch(
      (err: unknown) => err,
    );

    expect(error).toBeInstanceOf(PermanentJobError);
    expect(isRetryableJobError(error)).toBe(false);
  });
});
