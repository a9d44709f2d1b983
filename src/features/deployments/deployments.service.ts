import type { Kysely, Transaction } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { CursorCodec } from '../../db/query/cursor-codec.ts';
import { type Page, type PageRequest, paginate } from '../../db/query/paginate.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors/app-error.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import { listVerifiedDomains } from '../sites/live-sites.repository.ts';
import { type SiteAddress, siteUrlForHost, subdomainHost } from '../sites/site-address.ts';
import type { PurgePortfolioHosts } from '../sites/site-host-purge.ts';
import type {
  Deployment,
  DeploymentRequestOutcome,
  DeploymentSummary,
  RollbackOutcome,
} from './deployment.types.ts';
import { abandonStaleDeployment } from './deployment-finish.repository.ts';
import { DEPLOYMENT_ABANDONED_CODE } from './deployments.errors.ts';
import {
  countPortfolioDeployments,
  type DeployablePortfolio,
  type DeploymentPageKey,
  deploymentPageKeyOf,
  deploymentPageKeySchema,
  findDeployablePortfolio,
  findOwnedDeployment,
  findPortfolioDeployment,
  findUnfinishedDeployment,
  insertDeployment,
  insertDeploymentLog,
  listPortfolioDeployments,
  listRecentDeploymentLogs,
  setLiveDeployment,
} from './deployments.repository.ts';

type Db = Kysely<Database>;

export interface DeploymentService {
  /**
   * Queues a deployment of the portfolio's current version, or returns the one already
   * queued or running (R-JOB-2): never two unfinished deployments of one portfolio. An
   * unfinished one idle for STALE_DEPLOYMENT_AFTER_MS is failed as abandoned first, so a
   * lost run can never block the portfolio's deployments for good.
   */
  requestDeployment(ownerId: string, portfolioId: string): Promise<DeploymentRequestOutcome>;
  /** Status, step, progress, attempt, URL and log (R-JOB-3). */
  getDeployment(ownerId: string, deploymentId: string): Promise<Deployment>;
  /** The portfolio's deployments, newest first, without logs. */
  listDeployments(
    ownerId: string,
    portfolioId: string,
    page: PageRequest,
  ): Promise<Page<DeploymentSummary>>;
  /**
   * Makes an earlier DEPLOYED deployment live again: its files are still stored, so nothing
   * is rebuilt. Idempotent: a deployment already live is answered as is.
   */
  rollback(ownerId: string, portfolioId: string, deploymentId: string): Promise<RollbackOutcome>;
}

export interface DeploymentServiceDeps {
  readonly db: Db;
  readonly cursorCodec: CursorCodec;
  readonly enqueueInTransaction: EnqueueInTransaction;
  readonly siteAddress: SiteAddress;
  /** Clears the portfolio's cached hosts after a rollback. */
  readonly purgeHosts: PurgePortfolioHosts;
}

/**
 * How long an unfinished deployment may go without a write before a new request abandons
 * it. A live run writes at every step and upload progress, and no single step's work (an
 * upload with its retries, a certificate order) comes near this.
 */
export const STALE_DEPLOYMENT_AFTER_MS = 15 * 60 * 1000;

const ABANDONED_MESSAGE = `No progress was recorded for ${String(STALE_DEPLOYMENT_AFTER_MS / 60_000)} minutes: the run was lost and the deployment abandoned`;

/** A deployment answer shows the newest log lines up to this many. */
export const MAX_LOG_LINES = 500;

const UNFINISHED_INDEX = 'deployments_one_unfinished_per_portfolio';

// One message for "missing" and "not yours": the API never reveals another user's ids.
const portfolioNotFound = () => new NotFoundError('portfolio.not_found', 'No such portfolio.');
const deploymentNotFound = () => new NotFoundError('deployment.not_found', 'No such deployment.');

function isUnfinishedIndexViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) {
    return false;
  }
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === UNFINISHED_INDEX;
}

export function createDeploymentService(deps: DeploymentServiceDeps): DeploymentService {
  const { db, cursorCodec, enqueueInTransaction, siteAddress, purgeHosts } = deps;

  async function withLogs(executor: Db, deployment: DeploymentSummary): Promise<Deployment> {
    return {
      ...deployment,
      logs: await listRecentDeploymentLogs(executor, deployment.id, MAX_LOG_LINES),
    };
  }

  async function lockPortfolio(
    trx: Transaction<Database>,
    ownerId: string,
    portfolioId: string,
  ): Promise<DeployablePortfolio> {
    const portfolio = await findDeployablePortfolio(trx, ownerId, portfolioId, {
      forUpdate: true,
    });
    if (portfolio === undefined) {
      throw portfolioNotFound();
    }
    return portfolio;
  }

  /** One transaction: reuse the unfinished deployment, or insert one with its outbox job. */
  function queueOrReuse(ownerId: string, portfolioId: string): Promise<DeploymentRequestOutcome> {
    return withTransaction(db, async (trx) => {
      // The lock makes concurrent requests for this portfolio queue up behind each other, so
      // the second sees the first's committed deployment and returns it.
      const portfolio = await lockPortfolio(trx, ownerId, portfolioId);
      // In this transaction, so the abandoned one and its replacement commit together.
      await abandonStaleDeployment(trx, {
        portfolioId: portfolio.id,
        staleAfterMs: STALE_DEPLOYMENT_AFTER_MS,
        errorCode: DEPLOYMENT_ABANDONED_CODE,
        errorMessage: ABANDONED_MESSAGE,
      });
      const unfinished = await findUnfinishedDeployment(trx, portfolio.id);
      if (unfinished !== undefined) {
        return { deployment: await withLogs(trx, unfinished), created: false };
      }
      if (portfolio.subdomain === null) {
        throw new InvalidInputError(
          'deployment.subdomain_missing',
          'Give the portfolio a subdomain before deploying it.',
          { fieldIssues: [{ path: 'subdomain', message: 'the portfolio has no subdomain' }] },
        );
      }
      const [domain = null] = await listVerifiedDomains(trx, portfolio.id);
      const host = domain ?? subdomainHost(siteAddress, portfolio.subdomain);
      const deployment = await insertDeployment(trx, {
        portfolioId: portfolio.id,
        requestedBy: ownerId,
        portfolioVersion: portfolio.version,
        subdomain: portfolio.subdomain,
        domain,
        siteUrl: siteUrlForHost(siteAddress, host),
      });
      await insertDeploymentLog(trx, {
        deploymentId: deployment.id,
        step: 'QUEUED',
        level: 'info',
        message: `queued portfolio version ${String(portfolio.version)}`,
      });
      await enqueueInTransaction(trx, {
        jobName: 'deployment.run',
        jobId: deployment.id,
        payload: { deploymentId: deployment.id },
      });
      return { deployment: await withLogs(trx, deployment), created: true };
    });
  }

  return {
    async requestDeployment(ownerId, portfolioId) {
      try {
        return await queueOrReuse(ownerId, portfolioId);
      } catch (err) {
        // Backstop for a writer that did not take the portfolio lock: the index refused a
        // second unfinished deployment, so the retry finds and returns the existing one.
        if (isUnfinishedIndexViolation(err)) {
          return queueOrReuse(ownerId, portfolioId);
        }
        throw err;
      }
    },

    async getDeployment(ownerId, deploymentId) {
      const deployment = await findOwnedDeployment(db, ownerId, deploymentId);
      if (deployment === undefined) {
        throw deploymentNotFound();
      }
      return withLogs(db, deployment);
    },

    async listDeployments(ownerId, portfolioId, page) {
      if ((await findDeployablePortfolio(db, ownerId, portfolioId)) === undefined) {
        throw portfolioNotFound();
      }
      return paginate<DeploymentSummary, DeploymentPageKey>(page, cursorCodec, {
        keySchema: deploymentPageKeySchema,
        keyOf: deploymentPageKeyOf,
        fetch: (query) => listPortfolioDeployments(db, portfolioId, query),
        count: () => countPortfolioDeployments(db, portfolioId),
      });
    },

    async rollback(ownerId, portfolioId, deploymentId) {
      const { switched, subdomains } = await withTransaction(db, async (trx) => {
        const portfolio = await lockPortfolio(trx, ownerId, portfolioId);
        const target = await findPortfolioDeployment(trx, portfolio.id, deploymentId);
        if (target === undefined) {
          throw deploymentNotFound();
        }
        if (target.status !== 'DEPLOYED') {
          throw new ConflictError(
            'deployment.not_deployed',
            `Only a DEPLOYED deployment can be made live; this one is ${target.status}.`,
          );
        }
        // Both the portfolio's subdomain now and the one the target was built for may have
        // a cached mapping.
        const hostsOf = [portfolio.subdomain, target.subdomain].filter((sub) => sub !== null);
        if (portfolio.liveDeploymentId === target.id) {
          return { switched: false, subdomains: hostsOf };
        }
        await setLiveDeployment(trx, portfolio.id, target.id);
        await insertDeploymentLog(trx, {
          deploymentId: target.id,
          step: 'ROLLBACK',
          level: 'info',
          message:
            portfolio.liveDeploymentId === null
              ? 'made live again by a rollback'
              : `made live again by a rollback, replacing deployment ${portfolio.liveDeploymentId}`,
        });
        return { switched: true, subdomains: hostsOf };
      });
      // After the commit, so a request between purge and commit cannot re-cache the old
      // pointer. Purged on a repeat too: that is how a failed purge is retried.
      await purgeHosts(portfolioId, subdomains);
      const deployment = await findPortfolioDeployment(db, portfolioId, deploymentId);
      if (deployment === undefined) {
        throw deploymentNotFound();
      }
      return { deployment: await withLogs(db, deployment), switched };
    },
  };
}
