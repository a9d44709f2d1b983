import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DeploymentRunOptions } from '../../../src/features/deployments/deployment-runner.ts';
import type { CertificateIssuer } from '../../../src/integrations/ssl/certificate-authority.ts';
import {
  createDeploymentFixture,
  readDeployment,
  readDeploymentLog,
} from '../../support/deployment-factory.ts';
import {
  type DeploymentHarness,
  startDeploymentHarness,
} from '../../support/deployment-harness.ts';
import { wireDeployments } from '../../support/deployment-wiring.ts';

// Two runs of one deployment at once: what a worker that lost its BullMQ lock (a long GC
// pause, a network partition) and keeps going does beside the run that replaced it. The runs
// here are started directly, so which one is "newer" is up to the test.

let h: DeploymentHarness;

beforeAll(async () => {
  h = await startDeploymentHarness();
});

afterAll(async () => {
  await h.close();
});

const SLOW_PUT_MS = 300;

function runOptions(): DeploymentRunOptions {
  return { attempt: 1, maxAttempts: 4, signal: new AbortController().signal };
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

const count = (lines: readonly { message: string }[], pattern: RegExp) =>
  lines.filter((line) => pattern.test(line.message)).length;

describe('overlapping runs of one deployment (R-JOB-4)', () => {
  it('stops the older run at its next write once a newer run claims the deployment, and it changes nothing after', async () => {
    const db = h.ctx.deps.database.db;
    const fixture = await createDeploymentFixture(db, h.siteAddress);
    const id = fixture.deploymentId;
    h.proxy.delayWhen(
      (request) => request.method === 'PUT' && request.url.includes(id),
      SLOW_PUT_MS,
    );

    const older = h.wiring.runner.run(id, runOptions());
    await waitUntil(() => h.proxy.countSucceeded('PUT', id) >= 1, 15_000, 'the first upload');
    const newer = await h.wiring.runner.run(id, runOptions());
    const olderOutcome = await older;
    h.proxy.heal();

    expect(newer).toEqual({ kind: 'deployed', siteUrl: fixture.siteUrl });
    expect(olderOutcome).toMatchObject({
      kind: 'skipped',
      reason: expect.stringMatching(/superseded/) as unknown,
    });
    expect(await readDeployment(db, id)).toMatchObject({
      status: 'DEPLOYED',
      progress: 100,
      errorCode: null,
    });
    const log = await readDeploymentLog(db, id);
    expect(count(log, /^Attempt 1 of 4 started/)).toBe(2);
    expect(count(log, /^UPLOADING started$/)).toBe(2);
    // Only the newer run finished the upload and went on; the older one wrote no line after.
    expect(count(log, /^UPLOADING finished/)).toBe(1);
    expect(count(log, /^CONFIGURING started$/)).toBe(1);
    expect(count(log, /failed/)).toBe(0);
    expect(log.at(-1)?.message).toMatch(/^Deployed: /);
  });

  it('issues one certificate when two runs reach CONFIGURING together: the newer waits for the older one', async () => {
    const db = h.ctx.deps.database.db;
    const domain = 'overlap-portfolio.example.org';
    const fixture = await createDeploymentFixture(db, h.siteAddress, {
      customDomain: { name: domain, verified: true },
    });
    const issued: string[] = [];
    let announceIssuing: () => void = () => undefined;
    const issuing = new Promise<void>((resolve) => {
      announceIssuing = resolve;
    });
    const certificates: CertificateIssuer = {
      async issueCertificate(hostname) {
        issued.push(hostname);
        announceIssuing();
        // Long enough for the newer run to have reached its claim meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 300));
        return h.ctx.deps.adapters.certificates.issueCertificate(hostname);
      },
    };
    const { runner } = wireDeployments(h.ctx.deps, { certificates });

    const older = runner.run(fixture.deploymentId, runOptions());
    await issuing;
    const newer = await runner.run(fixture.deploymentId, runOptions());
    const olderOutcome = await older;

    expect([newer.kind, olderOutcome.kind].sort()).toEqual(['deployed', 'skipped']);
    expect(issued).toEqual([domain]);
    const log = await readDeploymentLog(db, fixture.deploymentId);
    expect(count(log, /^CONFIGURING finished/)).toBe(1);
    const stored = await db
      .selectFrom('custom_domains')
      .select('certificate_chain_key')
      .where('domain', '=', domain)
      .executeTakeFirstOrThrow();
    expect(stored.certificate_chain_key).not.toBeNull();
  });
});
