import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readEnvironment } from '../../../src/config/env.ts';
import {
  createDeploymentFixture,
  enqueueDeployment,
  readDeploymentLog,
} from '../../support/deployment-factory.ts';
import {
  type DeploymentHarness,
  startDeploymentHarness,
} from '../../support/deployment-harness.ts';

const WORKER_SCRIPT = fileURLToPath(
  new URL('../../support/deployment-worker-process.ts', import.meta.url),
);
/** Short enough that a dead worker's job is taken over within seconds. */
const LOCK_DURATION_MS = 2_000;
const STALLED_INTERVAL_MS = 500;
const SLOW_PUT_MS = 300;

let h: DeploymentHarness;
let child: ChildProcess | undefined;

beforeAll(async () => {
  h = await startDeploymentHarness();
});

afterAll(async () => {
  if (child?.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
  }
  await h.close();
});

async function startWorkerProcess(): Promise<ChildProcess> {
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER_SCRIPT, String(LOCK_DURATION_MS), String(STALLED_INTERVAL_MS)],
    { env: { ...readEnvironment(), ...h.processEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the worker process did not start: ${output}`));
    }, 20_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    };
    worker.stdout.on('data', collect);
    worker.stderr.on('data', collect);
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker process exited with ${String(code)}: ${output}`));
    });
  });
  return worker;
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a worker killed in the middle of a deployment (R-JOB-4, R-JOB-13)', () => {
  it('is replaced by another worker that finishes the deployment without redoing a step or an upload', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress);
    const id = fixture.deploymentId;
    h.proxy.delayWhen(
      (request) => request.method === 'PUT' && request.url.includes(id),
      SLOW_PUT_MS,
    );
    child = await startWorkerProcess();

    await enqueueDeployment(db, id);
    await waitUntil(() => h.proxy.countSucceeded('PUT', id) >= 3, 20_000, 'the first uploads');
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const storedBeforeKill = h.proxy.countSucceeded('PUT', id);
    h.proxy.heal();
    await h.startWorkers({ lockDuration: LOCK_DURATION_MS, stalledInterval: STALLED_INTERVAL_MS });
    const state = await h.waitForDeployment(
      id,
      (s) => s.status === 'DEPLOYED' || s.status === 'FAILED',
      20_000,
    );

    expect(storedBeforeKill).toBeLessThan(15);
    expect(state).toMatchObject({ status: 'DEPLOYED', attempt: 1 });
    const log = await readDeploymentLog(db, id);
    const started = (step: string) => log.filter((row) => row.message === `${step} started`).length;
    expect([started('VALIDATING'), started('BUILDING'), started('CONFIGURING')]).toEqual([1, 1, 1]);
    expect(started('UPLOADING')).toBe(2);
    const puts = h.proxy.succeededPuts(id);
    expect(puts.size).toBe(15);
    expect([...puts.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    const uploaded = log.find((row) => row.message.startsWith('UPLOADING finished'));
    const [, alreadyStored] = /(\d+) already stored/.exec(uploaded?.message ?? '') ?? [];
    expect(Number(alreadyStored)).toBeGreaterThanOrEqual(storedBeforeKill);
    const steps = await db
      .selectFrom('deployment_steps')
      .select('step')
      .where('deployment_id', '=', id)
      .execute();
    expect(steps).toHaveLength(5);
  });
});
