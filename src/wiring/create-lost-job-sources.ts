import { listStalledDeployments } from '../features/deployments/stalled-deployments.repository.ts';
import { listStalledExports } from '../features/exports/stalled-exports.repository.ts';
import { createFixedIdJobSource, type LostJobSource } from '../jobs/lost-job-sweep.ts';
import { enqueueInTransaction } from '../jobs/outbox/enqueue-in-transaction.ts';
import type { Deps } from './create-deps.ts';

/** Rows looked at per source and sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

/**
 * Everything the lost-job sweep recovers (R-SEC-3): deployments and exports by their fixed
 * job id, and webhook deliveries, which get a new run of their own.
 */
export function createLostJobSources(deps: Deps): LostJobSource[] {
  const db = deps.database.db;
  return [
    createFixedIdJobSource({
      jobName: 'deployment.run',
      db,
      enqueueInTransaction,
      findStalled: async (idleMs) =>
        (await listStalledDeployments(db, idleMs, SWEEP_BATCH)).map((row) => ({
          jobId: row.deploymentId,
          payload: { deploymentId: row.deploymentId },
        })),
    }),
    createFixedIdJobSource({
      jobName: 'export.render',
      db,
      enqueueInTransaction,
      findStalled: async (idleMs) =>
        (await listStalledExports(db, idleMs, SWEEP_BATCH)).map((row) => ({
          jobId: row.exportId,
          payload: { exportId: row.exportId },
        })),
    }),
    {
      name: 'webhook.deliver',
      recover: ({ overdueMs, jobs }) =>
        deps.webhookDeliveries.recoverLostDeliveries({
          overdueMs,
          isQueued: (jobId) => jobs.isQueued('webhook.deliver', jobId),
        }),
    },
  ];
}
