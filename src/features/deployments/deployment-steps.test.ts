import { describe, expect, it } from 'vitest';

import { DEPLOYMENT_STEPS } from '../../db/tables/deployments-tables.ts';
import type { DeploymentToRun } from './deployment-runs.repository.ts';
import { siteHostsOf, siteUrlOf, STEP_PLANS } from './deployment-steps.ts';

const ADDRESS = { baseDomain: 'localhost', publicUrl: 'http://localhost:3000' };

function deployment(overrides: Partial<DeploymentToRun> = {}): DeploymentToRun {
  return {
    id: '3f0c2a52-5a43-4b8e-9d43-0f4b8f1e2a11',
    portfolioId: '9a1d7a3e-2f37-45a4-8d0e-6a1e7c4b5d22',
    requestedBy: 'user-1',
    portfolioVersion: 1,
    status: 'QUEUED',
    currentStep: null,
    subdomain: 'jane',
    domain: null,
    siteUrl: null,
    contentHash: null,
    queuedAt: new Date('2025-01-01T00:00:00.000Z'),
    runToken: null,
    portfolioSubdomain: 'jane',
    isLive: false,
    ...overrides,
  };
}

describe('STEP_PLANS', () => {
  it('moves the progress forward step after step and ends at 100 (R-JOB-3)', () => {
    const marks = DEPLOYMENT_STEPS.flatMap((step) => [
      STEP_PLANS[step].startProgress,
      STEP_PLANS[step].endProgress,
    ]);

    expect(marks).toEqual([...marks].sort((a, b) => a - b));
    expect(marks.at(-1)).toBe(100);
    expect(marks[0]).toBeGreaterThan(0);
  });
});

describe(siteHostsOf.name, () => {
  it('serves the subdomain, plus the custom domain when there is one', () => {
    expect(siteHostsOf(deployment(), ADDRESS)).toEqual(['jane.localhost']);
    expect(siteHostsOf(deployment({ domain: 'Jane.Example.com' }), ADDRESS)).toEqual([
      'jane.localhost',
      'jane.example.com',
    ]);
  });
});

describe(siteUrlOf.name, () => {
  it('prefers the URL recorded with the deployment', () => {
    expect(siteUrlOf(deployment({ siteUrl: 'https://x.example.com/' }), ADDRESS)).toBe(
      'https://x.example.com/',
    );
  });

  it('derives the URL from the custom domain first, then the subdomain', () => {
    expect(siteUrlOf(deployment(), ADDRESS)).toBe('http://jane.localhost:3000/');
    expect(siteUrlOf(deployment({ domain: 'jane.example.com' }), ADDRESS)).toBe(
      'http://jane.example.com:3000/',
    );
  });
});
