import { describe, expect, it } from 'vitest';

import type { Deployment } from '../../features/deployments/deployment.types.ts';
import {
  deploymentSchema,
  deploymentSummarySchema,
  presentDeployment,
  presentDeploymentSummary,
} from './deployment-schemas.ts';

const failed: Deployment = {
  id: '7d3c1a8e-4f0b-4c2e-9a51-0b6f1c2d3e4f',
  portfolioId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  portfolioVersion: 3,
  status: 'FAILED',
  currentStep: 'UPLOADING',
  progress: 60,
  attempt: 4,
  subdomain: 'grace',
  domain: null,
  siteUrl: 'http://grace.localhost:3000/',
  contentHash: null,
  error: { code: 'storage.unavailable', message: 'storage kept failing' },
  queuedAt: new Date('2024-03-01T10:00:00.000Z'),
  startedAt: new Date('2024-03-01T10:00:01.000Z'),
  finishedAt: new Date('2024-03-01T10:00:20.000Z'),
  isLive: false,
  logs: [
    { step: 'QUEUED', level: 'info', message: 'queued', time: new Date('2024-03-01T10:00:00Z') },
  ],
};

describe(presentDeployment.name, () => {
  it('produces what the documented Deployment schema accepts', () => {
    const presented = presentDeployment(failed);

    expect(deploymentSchema.parse(presented)).toEqual(presented);
    expect(presented.finishedAt).toBe('2024-03-01T10:00:20.000Z');
    expect(presented.logs).toEqual([
      { step: 'QUEUED', level: 'info', message: 'queued', time: '2024-03-01T10:00:00.000Z' },
    ]);
  });

  it('leaves the log out of list items', () => {
    const presented = presentDeploymentSummary(failed);

    expect(deploymentSummarySchema.parse(presented)).toEqual(presented);
    expect(presented).not.toHaveProperty('logs');
  });
});
