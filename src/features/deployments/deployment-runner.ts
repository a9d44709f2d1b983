import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../../db/database-types.ts';
import { DEPLOYMENT_STEPS, type DeploymentStep } from '../../db/tables/deployments-tables.ts';
import type { SiteRecords } from '../../integrations/dns/site-records.ts';
import type { CertificateIssuer } from '../../integrations/ssl/certificate-authority.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import type { LiveSiteCache } from '../sites/live-site-cache.ts';
import type { SiteAddress } from '../sites/site-address.ts';
import type { WebhookDeliveryService } from '../webhooks/webhook-delivery.service.ts';
import { finishDeployed, finishFailed } from './deployment-outcomes.ts';
import {
  type DeploymentToRun,
  findDeploymentToRun,
  insertLogLines,
  listFinishedSteps,
  recordAttemptFailure,
  recordAttemptStart,
  recordStepFinish,
  recordStepStart,
} from './deployment-runs.repository.ts';
import { runStep, type StepRun } from './deployment-step-work.ts';
import { siteHostsOf, siteUrlOf, STEP_PLANS } from './deployment-steps.ts';
import { type DeploymentFailure, describeDeploymentFailure } from './deployments.errors.ts';

export interface DeploymentRunnerDeps {
  readonly db: Kysely<Database>;
  readonly storage: Pick<Storage, 'putObject' | 'listObjects'>;
  readonly siteRecords: Pick<SiteRecords, 'upsertSubdomain'>;
  readonly certificates: CertificateIssuer;
  readonly liveSites: Pick<LiveSiteCache, 'purgeHosts'>;
  readonly webhooks: Pick<WebhookDeliveryService, 'dispatchEventInTransaction'>;
  /** The outbox writer (`enqueueInTransaction` of src/jobs/outbox). */
  readonly enqueueInTransaction: EnqueueInTransaction;
  readonly siteAddress: SiteAddress;
  readonly logger: Logger;
  /** Parallel PUTs while uploading. @defaultValue 4 */
  readonly uploadConcurrency?: number;
  /** @defaultValue () => new Date() */
  readonly now?: () => Date;
}

export interface DeploymentRunOptions {
  /** The queue's attempt, 1 on the first try. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted when the worker stops: the run records nothing more and hands the job back. */
  readonly signal: AbortSignal;
  /** Mirrors the progress into the queue (monitoring); failures there are ignored. */
  readonly reportProgress?: (percent: number) => Promise<void>;
}

/** How a run ended; `retry` and `failed` are already recorded in the deployment. */
export type DeploymentRunOutcome =
  | { readonly kind: 'deployed'; readonly siteUrl: string }
  | { readonly kind: 'skipped'; readonly reason: string }
  /** Final: FAILED is written, the webhook and mail are queued. */
  | { readonly kind: 'failed'; readonly failure: DeploymentFailure }
  /** Retries remain: the queue should run the job again after its backoff. */
  | { readonly kind: 'retry'; readonly failure: DeploymentFailure };

export interface DeploymentRunner {
  /**
   * Runs, or resumes at its first unfinished step, one deployment (R-JOB-2 … R-JOB-5).
   * Throws only when the worker is stopping or the failure could not be recorded.
   */
  run(deploymentId: string, options: DeploymentRunOptions): Promise<DeploymentRunOutcome>;
}

const DEFAULT_UPLOAD_CONCURRENCY = 4;

export function createDeploymentRunner(deps: DeploymentRunnerDeps): DeploymentRunner {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const uploadConcurrency = deps.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY;

  async function reportProgress(options: DeploymentRunOptions, percent: number) {
    await options.reportProgress?.(percent).catch((err: unknown) => {
      logger.debug({ err }, 'could not mirror deployment progress into the queue');
    });
  }

  async function purgeLiveSite(deployment: DeploymentToRun) {
    const hosts = siteHostsOf(deployment, deps.siteAddress);
    try {
      await deps.liveSites.purgeHosts(hosts);
    } catch (err) {
      // The cached mapping expires on its own; the deployment itself is done.
      logger.warn({ err, deploymentId: deployment.id, hosts }, 'could not purge the site cache');
      await insertLogLines(db, deployment.id, [
        {
          step: 'ACTIVATING',
          level: 'warn',
          message: `The cached site of ${hosts.join(', ')} could not be purged; it expires within minutes`,
        },
      ]).catch((logErr: unknown) => {
        logger.warn({ err: logErr }, 'could not log the failed cache purge');
      });
    }
  }

  async function activate(deployment: DeploymentToRun, options: DeploymentRunOptions) {
    const siteUrl = siteUrlOf(deployment, deps.siteAddress);
    const activated = await finishDeployed(
      { db, webhooks: deps.webhooks, enqueueInTransaction: deps.enqueueInTransaction },
      { deployment, attempt: options.attempt, siteUrl },
    );
    if (!activated) {
      return { kind: 'skipped', reason: 'another run finished the deployment' } as const;
    }
    await purgeLiveSite(deployment);
    await reportProgress(options, 100);
    return { kind: 'deployed', siteUrl } as const;
  }

  async function recordFailure(
    deployment: DeploymentToRun,
    step: DeploymentStep,
    err: unknown,
    options: DeploymentRunOptions,
  ): Promise<DeploymentRunOutcome> {
    const { attempt, maxAttempts } = options;
    const failure = describeDeploymentFailure(err);
    logger.warn(
      { err, deploymentId: deployment.id, step, code: failure.code, attempt },
      'deployment attempt failed',
    );
    const errorLine = {
      step,
      level: 'error',
      message: `${step} failed (${failure.code}): ${failure.message}`,
    } as const;
    if (failure.retryable && attempt < maxAttempts) {
      await recordAttemptFailure(db, {
        deploymentId: deployment.id,
        errorCode: failure.code,
        errorMessage: failure.message,
        logs: [
          errorLine,
          {
            step,
            level: 'info',
            message: `Attempt ${attempt} of ${maxAttempts} failed; attempt ${attempt + 1} follows after the retry delay`,
          },
        ],
      });
      return { kind: 'retry', failure };
    }
    const finished = await finishFailed(
      { db, webhooks: deps.webhooks, enqueueInTransaction: deps.enqueueInTransaction },
      {
        deployment,
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
      },
    );
    return finished
      ? { kind: 'failed', failure }
      : { kind: 'skipped', reason: 'another run finished the deployment' };
  }

  return {
    async run(deploymentId, options) {
      const deployment = await findDeploymentToRun(db, deploymentId);
      if (deployment === undefined) {
        return { kind: 'skipped', reason: 'no such deployment' };
      }
      if (deployment.status === 'DEPLOYED' || deployment.status === 'FAILED') {
        return { kind: 'skipped', reason: `the deployment is already ${deployment.status}` };
      }
      const finished = new Set(await listFinishedSteps(db, deploymentId));
      const pending = DEPLOYMENT_STEPS.filter((step) => !finished.has(step));
      const [first] = pending;
      if (first === undefined) {
        return { kind: 'skipped', reason: 'every step is already finished' };
      }
      const { attempt, maxAttempts, signal } = options;
      await recordAttemptStart(db, {
        deploymentId,
        attempt,
        log: {
          step: first,
          level: 'info',
          message:
            finished.size === 0
              ? `Attempt ${attempt} of ${maxAttempts} started`
              : `Attempt ${attempt} of ${maxAttempts} started; resuming at ${first}`,
        },
      });

      const stepRun: StepRun = {
        deps: { ...deps, now, uploadConcurrency },
        deployment,
        signal,
        site: undefined,
        contentHash: deployment.contentHash,
        reportProgress: (percent) => reportProgress(options, percent),
      };
      let current: DeploymentStep = first;
      try {
        for (const step of pending) {
          current = step;
          signal.throwIfAborted();
          const plan = STEP_PLANS[step];
          await recordStepStart(db, {
            deploymentId,
            step,
            status: plan.status,
            progress: plan.startProgress,
            log: { step, level: 'info', message: `${step} started` },
          });
          await reportProgress(options, plan.startProgress);
          if (step === 'ACTIVATING') {
            return await activate(deployment, options);
          }
          const outcome = await runStep(step, stepRun);
          await recordStepFinish(db, {
            deploymentId,
            step,
            attempt,
            result: outcome.result,
            progress: plan.endProgress,
            log: { step, level: 'info', message: `${step} finished: ${outcome.summary}` },
            ...(outcome.build === undefined ? {} : { build: outcome.build }),
          });
          await reportProgress(options, plan.endProgress);
        }
        return { kind: 'skipped', reason: 'every step is already finished' };
      } catch (err) {
        if (signal.aborted) {
          // Not a failed attempt: the worker hands the job back and a later run resumes here.
          await insertLogLines(db, deploymentId, [
            { step: current, level: 'warn', message: `The worker stopped during ${current}` },
          ]).catch(() => undefined);
          throw err;
        }
        return await recordFailure(deployment, current, err, options);
      }
    },
  };
}
