import { UnavailableError } from '../../errors/app-error.ts';
import type { DeploymentRunner } from '../../features/deployments/deployment-runner.ts';
import { DeferJobError } from '../defer-job-error.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';
import { PermanentJobError } from '../permanent-job-error.ts';

export type RunDeploymentPayload = JobPayloadOf<DefaultJobCatalog, 'deployment.run'>;

export interface RunDeploymentJobDeps {
  readonly runner: Pick<DeploymentRunner, 'run'>;
}

/**
 * `deployment.run` (R-JOB-2 … R-JOB-5). The runner records every outcome in the deployment
 * first; this maps it for the queue: a failure with attempts left is thrown as retryable (the
 * catalog's 2 s, 4 s, 8 s backoff applies), a final one as PermanentJobError, and one stopped
 * by a vendor's rate limit as DeferJobError (run again when the limit ends, no attempt used).
 */
export function createRunDeploymentJob(
  deps: RunDeploymentJobDeps,
): JobHandler<RunDeploymentPayload> {
  return async ({ deploymentId }, context) => {
    const outcome = await deps.runner.run(deploymentId, {
      attempt: context.attempt,
      maxAttempts: context.maxAttempts,
      signal: context.signal,
      reportProgress: (percent) => context.updateProgress(percent),
    });
    switch (outcome.kind) {
      case 'deployed':
        return { status: 'done' };
      case 'skipped':
        return { status: 'skipped', reason: outcome.reason };
      case 'retry':
        if (outcome.failure.blockedUntil !== undefined) {
          throw new DeferJobError(
            outcome.failure.blockedUntil,
            `deployment attempt waits for a rate limit (${outcome.failure.code})`,
          );
        }
        // Always the retryable kind, whatever the original error was: the runner already
        // decided (and recorded) that another attempt follows.
        throw new UnavailableError(
          'dependency.unavailable',
          `deployment attempt failed (${outcome.failure.code}): ${outcome.failure.message}`,
        );
      case 'failed':
        throw new PermanentJobError(
          `deployment failed (${outcome.failure.code}): ${outcome.failure.message}`,
        );
    }
  };
}
