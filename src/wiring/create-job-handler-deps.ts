import { createDeploymentFailureMailer } from '../features/deployments/deployment-notifications.ts';
import { createDeploymentRunner } from '../features/deployments/deployment-runner.ts';
import type { JobHandlerDeps } from '../jobs/create-job-handlers.ts';
import { enqueueInTransaction } from '../jobs/outbox/enqueue-in-transaction.ts';
import type { Deps } from './create-deps.ts';

/**
 * What the job handlers work with, built from the shared dependencies. Only the `work` role
 * (and tests that run workers) needs it, so `serve` never builds the deployment runner.
 */
export function createJobHandlerDeps(deps: Deps): JobHandlerDeps {
  const { config, adapters } = deps;
  return {
    webhookDeliveries: deps.webhookDeliveries,
    exports: deps.exportRenderer,
    deployments: {
      runner: createDeploymentRunner({
        db: deps.database.db,
        storage: adapters.storage,
        siteRecords: adapters.siteRecords,
        certificates: adapters.certificates,
        liveSites: deps.liveSites,
        webhooks: deps.webhookDeliveries,
        enqueueInTransaction,
        siteAddress: { baseDomain: config.sites.baseDomain, publicUrl: config.http.publicUrl },
        logger: deps.logger.child({ component: 'deployments' }),
      }),
      failureMailer: createDeploymentFailureMailer({
        db: deps.database.db,
        email: adapters.email,
        publicUrl: config.http.publicUrl,
      }),
    },
  };
}
