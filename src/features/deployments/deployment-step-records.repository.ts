import { type Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type {
  DeploymentStatus,
  DeploymentStep,
  SiteManifest,
} from '../../db/tables/deployments-tables.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import {
  insertLogLines,
  type LogLine,
  type RunClaim,
  updateOwnedDeployment,
} from './deployment-runs.repository.ts';

// The transitions a run writes around each step (R-JOB-2, R-JOB-3). Each first checks that
// the run still owns the deployment (see deployment-runs.repository.ts), in the same
// transaction as what it records.
type Db = Kysely<Database>;

/** The transition written before a step's work starts. */
export async function recordStepStart(
  db: Db,
  claim: RunClaim,
  input: {
    readonly step: DeploymentStep;
    readonly status: DeploymentStatus;
    readonly progress: number;
    readonly log: LogLine;
  },
): Promise<void> {
  await withTransaction(db, async (trx) => {
    await updateOwnedDeployment(trx, claim, {
      status: input.status,
      current_step: input.step,
      progress: input.progress,
    });
    await insertLogLines(trx, claim.deploymentId, [input.log]);
  });
}

/** What BUILDING records on the deployment beside its step row. */
export interface BuildRecord {
  readonly contentHash: string;
  readonly manifest: SiteManifest;
}

/**
 * The transition written after a step's work ends: its step row (what a retry skips), the
 * progress, and a log line. The ownership check comes first, so a superseded run adds no
 * step row; one already there (from a crashed run) is kept.
 */
export async function recordStepFinish(
  db: Db,
  claim: RunClaim,
  input: {
    readonly step: DeploymentStep;
    readonly attempt: number;
    readonly result: unknown;
    readonly progress: number;
    readonly log: LogLine;
    readonly build?: BuildRecord;
  },
): Promise<void> {
  await withTransaction(db, async (trx) => {
    await updateOwnedDeployment(trx, claim, {
      progress: input.progress,
      ...(input.build === undefined
        ? {}
        : {
            content_hash: input.build.contentHash,
            site_manifest: JSON.stringify(input.build.manifest),
          }),
    });
    await trx
      .insertInto('deployment_steps')
      .values({
        deployment_id: claim.deploymentId,
        step: input.step,
        attempt: input.attempt,
        result: JSON.stringify(input.result),
      })
      .onConflict((conflict) => conflict.columns(['deployment_id', 'step']).doNothing())
      .execute();
    await insertLogLines(trx, claim.deploymentId, [input.log]);
  });
}

export async function recordProgress(db: Db, claim: RunClaim, progress: number): Promise<void> {
  await updateOwnedDeployment(db, claim, { progress });
}

/** A failed attempt with retries left: the status stays at the step, the error is the last one. */
export async function recordAttemptFailure(
  db: Db,
  claim: RunClaim,
  input: {
    readonly errorCode: string;
    readonly errorMessage: string;
    readonly logs: readonly LogLine[];
  },
): Promise<void> {
  await withTransaction(db, async (trx) => {
    await updateOwnedDeployment(trx, claim, {
      error_code: input.errorCode,
      error_message: input.errorMessage,
    });
    await insertLogLines(trx, claim.deploymentId, input.logs);
  });
}
