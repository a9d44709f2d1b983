import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildJobsConfig, jobsEnvShape } from './jobs-env.ts';

const schema = z.object(jobsEnvShape);

/** Parses like env.ts does, then builds; returns the config and every problem's variable. */
function load(env: Record<string, string>, processGraceMs?: number) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    return { config: undefined, variables: parsed.error.issues.map((issue) => issue.path[0]) };
  }
  const built = buildJobsConfig(
    processGraceMs === undefined
      ? parsed.data
      : { ...parsed.data, SHUTDOWN_GRACE_MS: processGraceMs },
  );
  return { config: built.config, variables: built.problems.map((problem) => problem.variable) };
}

describe(buildJobsConfig.name, () => {
  it('defaults to deployment 3, PDF 5, webhooks 10, a 1 s outbox sweep with LISTEN and a 1 min recovery sweep', () => {
    const { config, variables } = load({}, 10_000);

    expect(variables).toEqual([]);
    expect(config).toEqual({
      prefix: 'rr-jobs',
      concurrency: { deployments: 3, pdf: 5, webhooks: 10 },
      shutdownGraceMs: 7_000,
      addTimeoutMs: 3_000,
      outbox: { pollIntervalMs: 1_000, batchSize: 20, listen: true },
      recoveryIntervalMs: 60_000,
    });
  });

  it('reads every setting from its variable', () => {
    const { config, variables } = load({
      JOBS_QUEUE_PREFIX: '{rr}',
      JOBS_DEPLOYMENT_CONCURRENCY: '1',
      JOBS_PDF_CONCURRENCY: '2',
      JOBS_WEBHOOK_CONCURRENCY: '25',
      JOBS_SHUTDOWN_GRACE_MS: '20000',
      JOBS_ADD_TIMEOUT_MS: '500',
      JOBS_OUTBOX_POLL_MS: '250',
      JOBS_OUTBOX_BATCH_SIZE: '100',
      JOBS_OUTBOX_LISTEN: 'false',
      JOBS_RECOVERY_INTERVAL_MS: '5000',
    });

    expect(variables).toEqual([]);
    expect(config).toEqual({
      prefix: '{rr}',
      concurrency: { deployments: 1, pdf: 2, webhooks: 25 },
      shutdownGraceMs: 20_000,
      addTimeoutMs: 500,
      outbox: { pollIntervalMs: 250, batchSize: 100, listen: false },
      recoveryIntervalMs: 5_000,
    });
  });

  it.each([
    ['JOBS_DEPLOYMENT_CONCURRENCY', '0'],
    ['JOBS_PDF_CONCURRENCY', 'many'],
    ['JOBS_WEBHOOK_CONCURRENCY', '1.5'],
    ['JOBS_QUEUE_PREFIX', 'has:colon'],
    ['JOBS_OUTBOX_BATCH_SIZE', '0'],
    ['JOBS_OUTBOX_POLL_MS', '10'],
    ['JOBS_OUTBOX_LISTEN', 'maybe'],
    ['JOBS_RECOVERY_INTERVAL_MS', '10'],
  ])('names %s when it is %s', (variable, value) => {
    expect(load({ [variable]: value }).variables).toEqual([variable]);
  });

  it('reports a workers grace that leaves no headroom inside SHUTDOWN_GRACE_MS', () => {
    expect(load({ JOBS_SHUTDOWN_GRACE_MS: '9000' }, 10_000).variables).toEqual([
      'JOBS_SHUTDOWN_GRACE_MS',
    ]);
    expect(load({ JOBS_SHUTDOWN_GRACE_MS: '8000' }, 10_000).variables).toEqual([]);
  });
});
