import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../../db/database-types.ts';
import { DEPLOYMENT_STEPS, type DeploymentStep } from '../../db/tables/deployments-tables.ts';
import type { CertificateIssuer } from '../../integrations/ssl/certificate-authority.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import type { SiteAddress } from '../sites/site-address.ts';
import type { PurgePortfolioHosts } from '../sites/site-host-purge.ts';
import type { SubdomainRecordDeps } from '../sites/subdomain-records.ts';
import type { WebhookDeliveryService } from '../webhooks/webhook-delivery.service.ts';
import { finishDeployed, recordRunFailure } from './deployment-outcomes.ts';
import {
  appendRunLog,
  claimDeploymentRun,
  type DeploymentToRun,
  findDeploymentToRun,
  insertLogLines,
  type RunClaim,
} from './deployment-runs.repository.ts';
import { recordStepFinish, recordStepStart } from './deployment-step-records.repository.ts';
import { runStep, type StepRun } from './deployment-step-work.ts';
import { siteUrlOf, STEP_PLANS } from './deployment-steps.ts';
import {
  type DeploymentFailure,
  DeploymentRunSupersededError,
  describeDeploymentFailure,
} from './deployments.errors.ts';

export interface DeploymentRunnerDeps {
  readonly db: Kysely<Database>;
  readonly storage: Pick<Storage, 'putObject' | 'listObjects'>;
  readonly siteRecords: SubdomainRecordDeps['siteRecords'];
  /** The operator's RESERVED_SUBDOMAINS: a deployment to one fails `subdomain_invalid`. */
  readonly reservedSubdomains: ReadonlySet<string>;
  readonly certificates: CertificateIssuer;
  /**
   * Forgets the portfolio's cached hosts (`createPortfolioHostPurge`): the subdomains given
   * and every verified custom domain, whichever of them served the previous deployment.
   */
  readonly purgeHosts: PurgePortfolioHosts;
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

/**
 * How a run ended; `retry` and `failed` are already recorded in the deployment. `skipped`
 * includes a run superseded by a newer one: it stopped at once and recorded nothing more.
 */
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
   * Throws only when the worker is stopping or the failure could not be recorded; an
   * unfinished deployment left behind that way is abandoned by the next deployment request
   * once it has been idle for the staleness limit.
   */
  run(deploymentId: string, options: DeploymentRunOptions): Promise<DeploymentRunOutcome>;
}

const DEFAULT_UPLOAD_CONCURRENCY = 4;

const SUPERSEDED = 'superseded: the deployment finished or a newer run took it over';

export function createDeploymentRunner(deps: DeploymentRunnerDeps): DeploymentRunner {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const uploadConcurrency = deps.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY;
  const outcomeDeps = {
    db,
    webhooks: deps.webhooks,
    enqueueInTransaction: deps.enqueueInTransaction,
  };

  async function reportProgress(options: DeploymentRunOptions, percent: number) {
    await options.reportProgress?.(percent).catch((err: unknown) => {
      logger.debug({ err }, 'could not mirror deployment progress into the queue');
    });
  }

  /**
   * Every host that may have cached the portfolio's previous site: its subdomain now, the
   * one this deployment was built for, and each verified custom domain.
   */
  async function purgeLiveSite(deployment: DeploymentToRun) {
    try {
      await deps.purgeHosts(deployment.portfolioId, [
        deployment.portfolioSubdomain,
        deployment.subdomain,
      ]);
    } catch (err) {
      // The cached mapping expires on its own; the deployment itself is done.
      logger.warn({ err, deploymentId: deployment.id }, 'could not purge the site cache');
      await insertLogLines(db, deployment.id, [
        {
          step: 'ACTIVATING',
          level: 'warn',
          message: "The portfolio's cached site could not be purged; it expires within minutes",
        },
      ]).catch((logErr: unknown) => {
        logger.warn({ err: logErr }, 'could not log the failed cache purge');
      });
    }
  }

  async function activate(
    deployment: DeploymentToRun,
    claim: RunClaim,
    options: DeploymentRunOptions,
  ): Promise<DeploymentRunOutcome> {
    const siteUrl = siteUrlOf(deployment, deps.siteAddress);
    const activated = await finishDeployed(outcomeDeps, {
      deployment,
      claim,
      attempt: options.attempt,
      siteUrl,
    });
    if (!activated) {
      return { kind: 'skipped', reason: SUPERSEDED };
    }
    await purgeLiveSite(deployment);
    await reportProgress(options, 100);
    return { kind: 'deployed', siteUrl };
  }

  async function recordFailure(
    deployment: DeploymentToRun,
    claim: RunClaim,
    step: DeploymentStep,
    err: unknown,
    options: DeploymentRunOptions,
  ): Promise<DeploymentRunOutcome> {
    const failure = describeDeploymentFailure(err);
    logger.warn(
      { err, deploymentId: deployment.id, step, code: failure.code, attempt: options.attempt },
      'deployment attempt failed',
    );
    // A throw here propagates: the job fails, and the deployment stays unfinished until the
    // staleness rule abandons it. Nothing here changes a finished or taken-over deployment.
    const recorded = await recordRunFailure(outcomeDeps, {
      deployment,
      claim,
      step,
      failure,
      attempt: options.attempt,
      maxAttempts: options.maxAttempts,
    });
    return recorded === 'superseded'
      ? { kind: 'skipped', reason: SUPERSEDED }
      : { kind: recorded, failure };
  }

  async function runAttempt(
    deployment: DeploymentToRun,
    options: DeploymentRunOptions,
  ): Promise<DeploymentRunOutcome> {
    const { attempt, maxAttempts, signal } = options;
    const token = randomUUID();
    // Until the claim commits, a failure is recorded against the token as read: the
    // deployment is this run's to fail unless a newer run claimed it meanwhile.
    let claim: RunClaim = { deploymentId: deployment.id, token: deployment.runToken };
    let current: DeploymentStep = deployment.currentStep ?? 'VALIDATING';
    try {
      const claimed = await claimDeploymentRun(db, {
        deploymentId: deployment.id,
        token,
        attempt,
        startLog: (finishedSteps) => {
          const first = DEPLOYMENT_STEPS.find((step) => !finishedSteps.includes(step));
          return {
            step: first ?? current,
            level: 'info',
            message:
              finishedSteps.length === 0 || first === undefined
                ? `Attempt ${attempt} of ${maxAttempts} started`
                : `Attempt ${attempt} of ${maxAttempts} started; resuming at ${first}`,
          };
        },
      });
      if (claimed === undefined) {
        return { kind: 'skipped', reason: SUPERSEDED };
      }
      claim = { deploymentId: deployment.id, token };
      const pending = DEPLOYMENT_STEPS.filter((step) => !claimed.finishedSteps.includes(step));
      const stepRun: StepRun = {
        deps: { ...deps, now, uploadConcurrency },
        deployment,
        claim,
        signal,
        site: undefined,
        contentHash: deployment.contentHash,
        reportProgress: (percent) => reportProgress(options, percent),
      };
      for (const step of pending) {
        current = step;
        signal.throwIfAborted();
        const plan = STEP_PLANS[step];
        // Also the check that this run still owns the deployment before the step's work.
        await recordStepStart(db, claim, {
          step,
          status: plan.status,
          progress: plan.startProgress,
          log: { step, level: 'info', message: `${step} started` },
        });
        await reportProgress(options, plan.startProgress);
        if (step === 'ACTIVATING') {
          return await activate(deployment, claim, options);
        }
        const outcome = await runStep(step, stepRun);
        await recordStepFinish(db, claim, {
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
      if (err instanceof DeploymentRunSupersededError) {
        logger.info({ deploymentId: deployment.id, step: current }, SUPERSEDED);
        return { kind: 'skipped', reason: SUPERSEDED };
      }
      if (signal.aborted) {
        // Not a failed attempt: the worker hands the job back and a later run resumes here.
        await appendRunLog(db, claim, [
          { step: current, level: 'warn', message: `The worker stopped during ${current}` },
        ]).catch(() => undefined);
        throw err;
      }
      return await recordFailure(deployment, claim, current, err, options);
    }
  }

  return {
    async run(deploymentId, options) {
      const deployment = await findDeploymentToRun(db, deploymentId);
      if (deployment === undefined) {
        return { kind: 'skipped', reason: 'no such deployment' };
      }
      if (deployment.status === 'DEPLOYED' && deployment.isLive) {
        // The run that activated it may have died between the commit and the purge; purging
        // again costs little and is the only way that purge still happens.
        await purgeLiveSite(deployment);
      }
      if (deployment.status === 'DEPLOYED' || deployment.status === 'FAILED') {
        return { kind: 'skipped', reason: `the deployment is already ${deployment.status}` };
      }
      return runAttempt(deployment, options);
    },
  };
}
