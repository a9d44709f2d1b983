import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createDeploymentFixture,
  enqueueDeployment,
  type LogRow,
  readDeployment,
  readDeploymentLog,
} from '../../support/deployment-factory.ts';
import {
  type DeploymentHarness,
  startDeploymentHarness,
} from '../../support/deployment-harness.ts';

let h: DeploymentHarness;

beforeAll(async () => {
  h = await startDeploymentHarness();
  await h.startWorkers();
});

afterAll(async () => {
  await h.close();
});

/** The job is marked completed just after the deployment is recorded DEPLOYED. */
async function waitForJobCompleted(jobId: string) {
  const deadline = Date.now() + 5_000;
  while ((await h.deploymentQueue.getJobState(jobId)) !== 'completed') {
    if (Date.now() > deadline) {
      throw new Error(`job ${jobId} did not complete`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const job = await h.deploymentQueue.getJob(jobId);
  if (job === undefined) {
    throw new Error(`job ${jobId} is gone`);
  }
  return job;
}

function timeOf(log: readonly LogRow[], pattern: RegExp): number {
  const line = log.find((row) => pattern.test(row.message));
  if (line === undefined) {
    throw new Error(`no log line matches ${String(pattern)}`);
  }
  return line.createdAt.getTime();
}

describe('deployment.run retries (R-JOB-4)', () => {
  it('survives two failed attempts of storage and deploys on attempt 3, resuming without redoing any side effect', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress);
    const id = fixture.deploymentId;
    // Storage breaks after a few files are stored, and stays down through attempt 2.
    h.proxy.failWhen(
      (request) => request.url.includes(id) && h.proxy.countSucceeded('PUT', id) >= 5,
    );

    await enqueueDeployment(db, id);
    const afterTwoAttempts = await h.waitForLogLine(id, /^Attempt 2 of 4 failed/, 15_000);
    const failedTwice = await readDeployment(db, id);
    h.proxy.heal();
    const done = await h.waitForDeployment(
      id,
      (s) => s.status === 'DEPLOYED' || s.status === 'FAILED',
      15_000,
    );

    expect(failedTwice.status).toBe('UPLOADING');
    expect(failedTwice.errorCode).toMatch(/^storage\./);
    expect(afterTwoAttempts.filter((row) => row.level === 'error')).toHaveLength(2);
    expect(afterTwoAttempts.at(-1)?.message).toBe(
      'Attempt 2 of 4 failed; attempt 3 follows after the retry delay',
    );
    expect(done).toMatchObject({ status: 'DEPLOYED', attempt: 3, errorCode: null });

    const log = await readDeploymentLog(db, id);
    const retryGap = (attempt: number) =>
      timeOf(log, new RegExp(`^Attempt ${String(attempt + 1)} of 4 started`)) -
      timeOf(log, new RegExp(`^Attempt ${String(attempt)} of 4 failed`));
    // The delays: never early (lower bounds from the log), and the policy BullMQ applies is
    // the catalog's (read back from the job) rather than an upper bound on a busy machine.
    expect(retryGap(1)).toBeGreaterThanOrEqual(2_000);
    expect(retryGap(2)).toBeGreaterThanOrEqual(4_000);
    const job = await waitForJobCompleted(id);
    expect(job.opts).toMatchObject({
      attempts: 4,
      backoff: { type: 'exponential', delay: 2_000 },
    });
    // Three tries, the third one successful.
    expect(job.attemptsMade).toBe(3);

    const started = (step: string) => log.filter((row) => row.message === `${step} started`).length;
    expect([started('VALIDATING'), started('BUILDING'), started('CONFIGURING')]).toEqual([1, 1, 1]);
    expect(started('UPLOADING')).toBe(3);
    expect(h.wiring.dnsUpserts.filter((name) => name === fixture.subdomain)).toHaveLength(1);

    const puts = h.proxy.succeededPuts(id);
    expect(puts.size).toBe(15);
    expect([...puts.values()].every((count) => count === 1)).toBe(true);
    expect(log.find((row) => row.message.startsWith('UPLOADING finished'))?.message).toMatch(
      /^UPLOADING finished: 15 objects \((\d+) uploaded, (\d+) already stored\)$/,
    );
    const [, uploaded, alreadyStored] =
      /\((\d+) uploaded, (\d+) already stored\)/.exec(
        log.find((row) => row.message.startsWith('UPLOADING finished'))?.message ?? '',
      ) ?? [];
    expect(Number(alreadyStored)).toBeGreaterThanOrEqual(5);
    expect(Number(uploaded) + Number(alreadyStored)).toBe(15);
  });
});
