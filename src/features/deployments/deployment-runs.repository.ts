import { type Kysely, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type {
  DeploymentLogLevel,
  DeploymentStatus,
  DeploymentStep,
  SiteManifest,
} from '../../db/tables/deployments-tables.ts';

// Every statement of a deployment run (R-JOB-2 … R-JOB-5). Each takes the handle to run on:
// the pool, or the caller's transaction when several writes must land together.
type Db = Kysely<Database>;

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
}

export async function findDeploymentToRun(
  db: Db,
  id: string,
): Promise<DeploymentToRun | undefined> {
  const row = await db
    .selectFrom('deployments')
    .select([
      'id',
      'portfolio_id',
      'requested_by',
      'portfolio_version',
      'status',
      'current_step',
      'subdomain',
      'domain',
      'site_url',
      'content_hash',
      'queued_at',
    ])
    .where('id', '=', id)
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

/** Notes which attempt runs now; `started_at` keeps the first attempt's start. */
export async function recordAttemptStart(
  db: Db,
  input: { readonly deploymentId: string; readonly attempt: number; readonly log: LogLine },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('deployments')
      .set({
        attempt: input.attempt,
        started_at: sql<Date>`coalesce(started_at, now())`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', input.deploymentId)
      .execute();
    await insertLogLines(trx, input.deploymentId, [input.log]);
  });
}

/** The transition written before a step's work starts. */
export async function recordStepStart(
  db: Db,
  input: {
    readonly deploymentId: string;
    readonly step: DeploymentStep;
    readonly status: DeploymentStatus;
    readonly progress: number;
    readonly log: LogLine;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('deployments')
      .set({
        status: input.status,
        current_step: input.step,
        progress: input.progress,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', input.deploymentId)
      .execute();
    await insertLogLines(trx, input.deploymentId, [input.log]);
  });
}

/** What BUILDING records on the deployment beside its step row. */
export interface BuildRecord {
  readonly contentHash: string;
  readonly manifest: SiteManifest;
}

/**
 * The transition written after a step's work ends: its step row (what a retry skips), the
 * progress, and a log line. A step row already there (a run that overlapped after a stall)
 * is kept.
 */
export async function recordStepFinish(
  db: Db,
  input: {
    readonly deploymentId: string;
    readonly step: DeploymentStep;
    readonly attempt: number;
    readonly result: unknown;
    readonly progress: number;
    readonly log: LogLine;
    readonly build?: BuildRecord;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('deployment_steps')
      .values({
        deployment_id: input.deploymentId,
        step: input.step,
        attempt: input.attempt,
        result: JSON.stringify(input.result),
      })
      .onConflict((conflict) => conflict.columns(['deployment_id', 'step']).doNothing())
      .execute();
    await trx
      .updateTable('deployments')
      .set({
        progress: input.progress,
        updated_at: sql<Date>`now()`,
        ...(input.build === undefined
          ? {}
          : {
              content_hash: input.build.contentHash,
              site_manifest: JSON.stringify(input.build.manifest),
            }),
      })
      .where('id', '=', input.deploymentId)
      .execute();
    await insertLogLines(trx, input.deploymentId, [input.log]);
  });
}

export async function recordProgress(db: Db, deploymentId: string, progress: number) {
  await db
    .updateTable('deployments')
    .set({ progress, updated_at: sql<Date>`now()` })
    .where('id', '=', deploymentId)
    .execute();
}

/** A failed attempt with retries left: the status stays at the step, the error is the last one. */
export async function recordAttemptFailure(
  db: Db,
  input: {
    readonly deploymentId: string;
    readonly errorCode: string;
    readonly errorMessage: string;
    readonly logs: readonly LogLine[];
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('deployments')
      .set({
        error_code: input.errorCode,
        error_message: input.errorMessage,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', input.deploymentId)
      .execute();
    await insertLogLines(trx, input.deploymentId, input.logs);
  });
}
