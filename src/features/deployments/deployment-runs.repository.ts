import { type Kysely, sql, type Transaction, type Updateable } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type {
  DeploymentLogLevel,
  DeploymentsTable,
  DeploymentStatus,
  DeploymentStep,
} from '../../db/tables/deployments-tables.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import { DeploymentRunSupersededError } from './deployments.errors.ts';

// Every statement of a deployment run (R-JOB-2 … R-JOB-5). Each takes the handle to run on:
// the pool, or the caller's transaction when several writes must land together.
//
// A run owns its deployment through the token it claimed at attempt start. Every later write
// first updates the deployment row on condition that it is unfinished and still holds that
// token: the row lock this takes orders the write against a newer run's claim, and a write
// that matches no row throws DeploymentRunSupersededError so the run stops before any other
// effect. Each such write also touches `updated_at`, the heartbeat the staleness rule reads.
type Db = Kysely<Database>;

export const FINISHED_STATUSES = ['DEPLOYED', 'FAILED'] as const;

/** The run that may write a deployment: its id and the token it claimed (null: unclaimed). */
export interface RunClaim {
  readonly deploymentId: string;
  readonly token: string | null;
}

const MAX_LOG_MESSAGE_LENGTH = 2_000;

export interface DeploymentToRun {
  readonly id: string;
  readonly portfolioId: string;
  readonly requestedBy: string;
  readonly portfolioVersion: number;
  readonly status: DeploymentStatus;
  readonly currentStep: DeploymentStep | null;
  readonly subdomain: string | null;
  readonly domain: string | null;
  readonly siteUrl: string | null;
  readonly contentHash: string | null;
  /** The build time of the site: retries rebuild the same bytes. */
  readonly queuedAt: Date;
  /** The token of the run that claimed it last, as read. */
  readonly runToken: string | null;
  /** The portfolio's subdomain now (it may have changed since the deployment was queued). */
  readonly portfolioSubdomain: string | null;
  /** Whether the portfolio's sites serve this deployment now. */
  readonly isLive: boolean;
}

export async function findDeploymentToRun(
  db: Db,
  id: string,
): Promise<DeploymentToRun | undefined> {
  const row = await db
    .selectFrom('deployments as d')
    .innerJoin('portfolios as p', 'p.id', 'd.portfolio_id')
    .select([
      'd.id',
      'd.portfolio_id',
      'd.requested_by',
      'd.portfolio_version',
      'd.status',
      'd.current_step',
      'd.subdomain',
      'd.domain',
      'd.site_url',
      'd.content_hash',
      'd.queued_at',
      'd.run_token',
      'p.subdomain as portfolio_subdomain',
    ])
    .select(
      sql<boolean>`coalesce(p.live_deployment_id = d.id AND p.deleted_at IS NULL, false)`.as(
        'is_live',
      ),
    )
    .where('d.id', '=', id)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        id: row.id,
        portfolioId: row.portfolio_id,
        requestedBy: row.requested_by,
        portfolioVersion: row.portfolio_version,
        status: row.status,
        currentStep: row.current_step,
        subdomain: row.subdomain,
        domain: row.domain,
        siteUrl: row.site_url,
        contentHash: row.content_hash,
        queuedAt: row.queued_at,
        runToken: row.run_token,
        portfolioSubdomain: row.portfolio_subdomain,
        isLive: row.is_live,
      };
}

/** The steps an earlier attempt finished: what this attempt skips. */
export async function listFinishedSteps(db: Db, deploymentId: string): Promise<DeploymentStep[]> {
  const rows = await db
    .selectFrom('deployment_steps')
    .select('step')
    .where('deployment_id', '=', deploymentId)
    .execute();
  return rows.map((row) => row.step);
}

export interface LogLine {
  readonly step: DeploymentStep | null;
  readonly level: DeploymentLogLevel;
  readonly message: string;
}

export async function insertLogLines(
  db: Db,
  deploymentId: string,
  lines: readonly LogLine[],
): Promise<void> {
  if (lines.length === 0) {
    return;
  }
  await db
    .insertInto('deployment_logs')
    .values(
      lines.map((line) => ({
        deployment_id: deploymentId,
        step: line.step,
        level: line.level,
        message: line.message.slice(0, MAX_LOG_MESSAGE_LENGTH),
      })),
    )
    .execute();
}

/** `run_token IS NOT DISTINCT FROM token`: null matches a deployment no run has claimed yet. */
export function holdsRunToken(token: string | null) {
  return sql<boolean>`run_token IS NOT DISTINCT FROM ${token}::uuid`;
}

/**
 * The write every other one of a run starts with: applies `changes` (and the heartbeat) when
 * the deployment is unfinished and still the claim's, or throws DeploymentRunSupersededError.
 */
export async function updateOwnedDeployment(
  db: Db,
  claim: RunClaim,
  changes: Updateable<DeploymentsTable> = {},
): Promise<void> {
  const row = await db
    .updateTable('deployments')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('id', '=', claim.deploymentId)
    .where('status', 'not in', FINISHED_STATUSES)
    .where(holdsRunToken(claim.token))
    .returning('id')
    .executeTakeFirst();
  if (row === undefined) {
    throw new DeploymentRunSupersededError(claim.deploymentId);
  }
}

/** What a claim found: the steps earlier runs finished, i.e. what this run skips. */
export interface ClaimedRun {
  readonly finishedSteps: readonly DeploymentStep[];
}

/**
 * Makes `token` the deployment's owner for this attempt (replacing any earlier run's token)
 * and reads the finished steps in the same transaction: the claim's row lock waits for a
 * step an earlier run is recording, and after the claim that run can record none. Undefined
 * when the deployment has already finished. `started_at` keeps the first attempt's start.
 */
export async function claimDeploymentRun(
  db: Db,
  input: {
    readonly deploymentId: string;
    readonly token: string;
    readonly attempt: number;
    /** The attempt's first log line, given what is already finished. */
    readonly startLog: (finishedSteps: readonly DeploymentStep[]) => LogLine;
  },
): Promise<ClaimedRun | undefined> {
  return withTransaction(db, async (trx) => {
    const claimed = await trx
      .updateTable('deployments')
      .set({
        run_token: input.token,
        attempt: input.attempt,
        started_at: sql<Date>`coalesce(started_at, now())`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', input.deploymentId)
      .where('status', 'not in', FINISHED_STATUSES)
      .returning('id')
      .executeTakeFirst();
    if (claimed === undefined) {
      return undefined;
    }
    const finishedSteps = await listFinishedSteps(trx, input.deploymentId);
    await insertLogLines(trx, input.deploymentId, [input.startLog(finishedSteps)]);
    return { finishedSteps };
  });
}

/**
 * Confirms the run still owns the deployment (and beats its heartbeat); throws
 * DeploymentRunSupersededError when not. Checked before each batch of uploads.
 */
export async function confirmRunOwnership(db: Db, claim: RunClaim): Promise<void> {
  await updateOwnedDeployment(db, claim);
}

/**
 * Runs `work` in a transaction that holds the deployment row while the run owns it: a newer
 * run's claim waits until it commits. For a side effect that must not happen twice, such as
 * issuing a certificate, recorded by `work` in the same transaction.
 */
export async function withOwnedDeployment<T>(
  db: Db,
  claim: RunClaim,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return withTransaction(db, async (trx) => {
    await updateOwnedDeployment(trx, claim);
    return work(trx);
  });
}

/** Log lines written only while the run owns the deployment. */
export async function appendRunLog(
  db: Db,
  claim: RunClaim,
  lines: readonly LogLine[],
): Promise<void> {
  await withTransaction(db, async (trx) => {
    await updateOwnedDeployment(trx, claim);
    await insertLogLines(trx, claim.deploymentId, lines);
  });
}
