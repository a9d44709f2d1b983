import type { DeploymentFailureMailer } from '../../features/deployments/deployment-notifications.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';

export type NotifyDeploymentFailurePayload = JobPayloadOf<
  DefaultJobCatalog,
  'deployment.notify_failure'
>;

export interface NotifyDeploymentFailureJobDeps {
  readonly failureMailer: Pick<DeploymentFailureMailer, 'mailFailure'>;
}

/**
 * `deployment.notify_failure` (R-JOB-5): mails the requester once. Email failures are thrown
 * as they are, so the queue retries the retryable ones.
 */
export function createNotifyDeploymentFailureJob(
  deps: NotifyDeploymentFailureJobDeps,
): JobHandler<NotifyDeploymentFailurePayload> {
  return async ({ deploymentId }) => {
    const result = await deps.failureMailer.mailFailure(deploymentId);
    return result.status === 'sent'
      ? { status: 'done' }
      : { status: 'skipped', reason: result.reason };
  };
}
