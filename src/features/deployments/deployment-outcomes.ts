import type { Kysely, Transaction } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { DeploymentStep } from '../../db/tables/deployments-tables.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import type { WebhookEventInput } from '../webhooks/webhook.types.ts';
import type { WebhookDeliveryService } from '../webhooks/webhook-delivery.service.ts';
import { activateDeployment, markDeploymentFailed } from './deployment-finish.repository.ts';
import {
  deploymentFailedData,
  deploymentSucceededData,
  failureMailJobId,
} from './deployment-notifications.ts';
import type { DeploymentToRun, LogLine, RunClaim } from './deployment-runs.repository.ts';
import { recordAttemptFailure } from './deployment-step-records.repository.ts';
import {
  type DeploymentFailure,
  DeploymentRejectedError,
  DeploymentRunSupersededError,
} from './deployments.errors.ts';

export interface OutcomeDeps {
  readonly db: Kysely<Database>;
  readonly webhooks: Pick<WebhookDeliveryService, 'dispatchEventInTransaction'>;
  readonly enqueueInTransaction: EnqueueInTransaction;
}

/** Records the event's deliveries and their send jobs in the caller's transaction. */
async function raiseEvent(
  deps: OutcomeDeps,
  trx: Transaction<Database>,
  input: WebhookEventInput,
): Promise<void> {
  await deps.webhooks.dispatchEventInTransaction(trx, input);
}

/**
 * ACTIVATING (R-JOB-2, R-JOB-5) in one transaction: the live pointer, DEPLOYED, the step row,
 * the log, and the `deployment.succeeded` deliveries with their jobs. Either all of it
 * happens or none, so a crash can neither lose the webhook nor send it for a rolled-back
 * switch. Returns false when the run no longer owns the deployment (finished or taken over).
 */
export async function finishDeployed(
  deps: OutcomeDeps,
  input: {
    readonly deployment: DeploymentToRun;
    readonly claim: RunClaim;
    readonly attempt: number;
    readonly siteUrl: string;
  },
): Promise<boolean> {
  const { deployment } = input;
  return withTransaction(deps.db, async (trx) => {
    const log: LogLine = {
      step: 'ACTIVATING',
      level: 'info',
      message: `Deployed: the site is live at ${input.siteUrl}`,
    };
    const result = await activateDeployment(trx, input.claim, {
      portfolioId: deployment.portfolioId,
      attempt: input.attempt,
      log,
    });
    switch (result.status) {
      case 'portfolio_missing':
        throw new DeploymentRejectedError(
          'deployment.portfolio_missing',
          'The portfolio was deleted during the deployment',
        );
      case 'not_owned':
        return false;
      case 'activated':
        await raiseEvent(deps, trx, {
          ownerId: deployment.requestedBy,
          event: 'deployment.succeeded',
          data: deploymentSucceededData({
            deploymentId: deployment.id,
            portfolioId: deployment.portfolioId,
            attempt: input.attempt,
            url: input.siteUrl,
            at: result.finishedAt,
          }),
        });
        return true;
    }
  });
}

/**
 * Final failure (R-JOB-5) in one transaction: FAILED with the error, the log, the
 * `deployment.failed` deliveries with their jobs, and the failure mail's job. The mail job
 * id is fixed per deployment, so a crash and rerun of this write cannot queue it twice.
 * Returns false when the run no longer owns the deployment (finished or taken over).
 */
export async function finishFailed(
  deps: OutcomeDeps,
  input: {
    readonly deployment: DeploymentToRun;
    readonly claim: RunClaim;
    readonly attempt: number;
    readonly failure: DeploymentFailure;
    readonly logs: readonly LogLine[];
  },
): Promise<boolean> {
  const { deployment, failure } = input;
  return withTransaction(deps.db, async (trx) => {
    const failed = await markDeploymentFailed(trx, input.claim, {
      errorCode: failure.code,
      errorMessage: failure.message,
      logs: input.logs,
    });
    if (failed === undefined) {
      return false;
    }
    await raiseEvent(deps, trx, {
      ownerId: deployment.requestedBy,
      event: 'deployment.failed',
      data: deploymentFailedData({
        deploymentId: deployment.id,
        portfolioId: deployment.portfolioId,
        attempt: input.attempt,
        error: { code: failure.code, message: failure.message },
        at: failed.finishedAt,
      }),
    });
    await deps.enqueueInTransaction(trx, {
      jobName: 'deployment.notify_failure',
      jobId: failureMailJobId(deployment.id),
      payload: { deploymentId: deployment.id },
    });
    return true;
  });
}

/**
 * A failed attempt (R-JOB-4, R-JOB-5): with a retryable failure and attempts left, the error
 * and log are recorded and the queue retries (`retry`); otherwise the deployment fails for
 * good (`failed`). `superseded` when the run no longer owns the deployment: nothing was
 * written. Any other error from the writes propagates.
 */
export async function recordRunFailure(
  deps: OutcomeDeps,
  input: {
    readonly deployment: DeploymentToRun;
    readonly claim: RunClaim;
    readonly step: DeploymentStep;
    readonly failure: DeploymentFailure;
    readonly attempt: number;
    readonly maxAttempts: number;
  },
): Promise<'retry' | 'failed' | 'superseded'> {
  const { step, failure, attempt, maxAttempts } = input;
  const errorLine: LogLine = {
    step,
    level: 'error',
    message: `${step} failed (${failure.code}): ${failure.message}`,
  };
  // A rate limit is waited out without using an attempt, so even the last one is repeated.
  const blocked = failure.blockedUntil;
  if (failure.retryable && (attempt < maxAttempts || blocked !== undefined)) {
    try {
      await recordAttemptFailure(deps.db, input.claim, {
        errorCode: failure.code,
        errorMessage: failure.message,
        logs: [
          errorLine,
          {
            step,
            level: 'info',
            message:
              blocked === undefined
                ? `Attempt ${attempt} of ${maxAttempts} failed; attempt ${attempt + 1} follows after the retry delay`
                : `Attempt ${attempt} of ${maxAttempts} waits for a rate limit; it runs again at ${new Date(blocked).toISOString()}`,
          },
        ],
      });
    } catch (err) {
      if (err instanceof DeploymentRunSupersededError) {
        return 'superseded';
      }
      throw err;
    }
    return 'retry';
  }
  const finished = await finishFailed(deps, {
    deployment: input.deployment,
    claim: input.claim,
    attempt,
    failure,
    logs: [
      errorLine,
      {
        step,
        level: 'error',
        message: failure.retryable
          ? `Deployment failed: attempt ${attempt} of ${maxAttempts} was the last`
          : 'Deployment failed: retrying cannot fix this',
      },
    ],
  });
  return finished ? 'failed' : 'superseded';
}
