import { describe, expect, it } from 'vitest';

import {
  deploymentFailedData,
  deploymentSucceededData,
  failureMailIdempotencyKey,
  failureMailJobId,
} from './deployment-notifications.ts';

const BASE = {
  deploymentId: '3f0c2a52-5a43-4b8e-9d43-0f4b8f1e2a11',
  portfolioId: '9a1d7a3e-2f37-45a4-8d0e-6a1e7c4b5d22',
  attempt: 3,
  at: new Date('2025-06-01T12:00:00.000Z'),
};

describe(deploymentSucceededData.name, () => {
  it('carries the ids, the attempt, the URL and the time (R-JOB-5)', () => {
    expect(deploymentSucceededData({ ...BASE, url: 'http://jane.localhost:3000/' })).toEqual({
      event: 'deployment.succeeded',
      deploymentId: BASE.deploymentId,
      portfolioId: BASE.portfolioId,
      attempt: 3,
      url: 'http://jane.localhost:3000/',
      timestamp: '2025-06-01T12:00:00.000Z',
    });
  });
});

describe(deploymentFailedData.name, () => {
  it('carries the stable error code and message instead of a URL', () => {
    const data = deploymentFailedData({
      ...BASE,
      error: { code: 'storage.failed', message: 'storage call failed' },
    });

    expect(data).toEqual({
      event: 'deployment.failed',
      deploymentId: BASE.deploymentId,
      portfolioId: BASE.portfolioId,
      attempt: 3,
      error: { code: 'storage.failed', message: 'storage call failed' },
      timestamp: '2025-06-01T12:00:00.000Z',
    });
    expect(data).not.toHaveProperty('url');
  });
});

describe(failureMailJobId.name, () => {
  it('is fixed per deployment and has no colon, which BullMQ refuses in custom ids', () => {
    expect(failureMailJobId(BASE.deploymentId)).toBe(failureMailJobId(BASE.deploymentId));
    expect(failureMailJobId(BASE.deploymentId)).not.toContain(':');
  });

  it('differs from the deployment.run job id, which shares the queue', () => {
    expect(failureMailJobId(BASE.deploymentId)).not.toBe(BASE.deploymentId);
  });
});

describe(failureMailIdempotencyKey.name, () => {
  it('names the deployment', () => {
    expect(failureMailIdempotencyKey(BASE.deploymentId)).toBe(
      `deployment-failed:${BASE.deploymentId}`,
    );
  });
});
