import { type Kysely, sql, type Updateable } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { DeploymentsTable } from '../../db/tables/deployments-tables.ts';
import {
  FINISHED_STATUSES,
  holdsRunToken,
  insertLogLines,
  type LogLine,
  type RunClaim,
} from './deployment-runs.repository.ts';
import { insertDeploymentLog } from './deployments.repository.ts';

// The ends of a deployment. A run's two ends run in the caller's transaction, beside the
// webhook deliveries and outbox jobs that announce them, and both refuse a deployment that
// already finished or that a newer run claimed (a run that overlapped another after a stall).
// The third end is for a deployment whose run was lost: a new request abandons it.
type Db = Kysely<Database>;

/**
 * The finishing update, when the run still owns the unfinished deployment. Returns the
 * finish time, or undefined when it does not: the caller then records and announces nothing.
 */
async function finishOwnedDeployment(
  trx: Db,
  claim: RunClaim,
  changes: Updateable<DeploymentsTable> & { readonly status: 'DEPLOYED' | 'FAILED' },
): Promise<Date | undefined> {
  const row = await trx
    .updateTable('deployments')
    .set({ ...changes, finished_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', claim.deploymentId)
    .where('status', 'not in', FINISHED_STATUSES)
    .where(holdsRunToken(claim.token))
    .returning('finished_at')
    .executeTakeFirst();
  return row?.finished_at ?? undefined;
}

/**
 * Final failure, in the caller's transaction. Undefined when the deployment had already
 * finished or another run owns it: the caller then notifies nobody.
 */
export async function markDeploymentFailed(
  trx: Db,
  claim: RunClaim,
  input: {
    readonly errorCode: string;
    readonly errorMessage: string;
    readonly logs: readonly LogLine[];
  },
): Promise<{ readonly finishedAt: Date } | undefined> {
  const finishedAt = await finishOwnedDeployment(trx, claim, {
    status: 'FAILED',
    error_code: input.errorCode,
    error_message: input.errorMessage,
  });
  if (finishedAt === undefined) {
    return undefined;
  }
  await insertLogLines(trx, claim.deploymentId, input.logs);
  return { finishedAt };
}

export type ActivationResult =
  | { readonly status: 'activated'; readonly finishedAt: Date }
  | { readonly status: 'not_owned' }
  | { readonly status: 'portfolio_missing' };

/**
 * The switch to live, in the caller's transaction: locks the portfolio row (so two switches
 * cannot interleave), finishes the deployment as DEPLOYED if the run still owns it, and
 * points the portfolio at it.
 */
export async function activateDeployment(
  trx: Db,
  claim: RunClaim,
  input: {
    readonly portfolioId: string;
    readonly attempt: number;
    readonly log: LogLine;
  },
): Promise<ActivationResult> {
  const portfolio = await trx
    .selectFrom('portfolios')
    .select('id')
    .where('id', '=', input.portfolioId)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (portfolio === undefined) {
    return { status: 'portfolio_missing' };
  }
  const finishedAt = await finishOwnedDeployment(trx, claim, {
    status: 'DEPLOYED',
    current_step: 'ACTIVATING',
    progress: 100,
    error_code: null,
    error_message: null,
  });
  if (finishedAt === undefined) {
    return { status: 'not_owned' };
  }
  await trx
    .updateTable('portfolios')
    // Deploying publishes: the site goes live with it (keeping the first publication time).
    .set({
      live_deployment_id: claim.deploymentId,
      is_published: true,
      published_at: sql<Date>`coalesce(published_at, now())`,
    })
    .where('id', '=', input.portfolioId)
    .execute();
  await trx
    .insertInto('deployment_steps')
    .values({
      deployment_id: claim.deploymentId,
      step: 'ACTIVATING',
      attempt: input.attempt,
      result: JSON.stringify({}),
    })
    .onConflict((conflict) => conflict.columns(['deployment_id', 'step']).doNothing())
    .execute();
  await insertLogLines(trx, claim.deploymentId, [input.log]);
  return { status: 'activated', finishedAt };
}

/**
 * Fails the portfolio's unfinished deployment when nothing has touched it for `staleAfterMs`
 * (every write of a live run does): its worker died, its job stalled too often, or the job
 * was lost from the queue. Logs why, in the caller's transaction. Undefined when there is no
 * such deployment.
 */
export async function abandonStaleDeployment(
  db: Db,
  input: {
    readonly portfolioId: string;
    readonly staleAfterMs: number;
    readonly errorCode: string;
    readonly errorMessage: string;
  },
): Promise<{ readonly id: string } | undefined> {
  const row = await db
    .updateTable('deployments')
    .set({
      status: 'FAILED',
      error_code: input.errorCode,
      error_message: input.errorMessage,
      finished_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('portfolio_id', '=', input.portfolioId)
    .where('status', 'not in', FINISHED_STATUSES)
    .where('updated_at', '<', sql<Date>`now() - ${input.staleAfterMs} * interval '1 millisecond'`)
    .returning(['id', 'current_step'])
    .executeTakeFirst();
  if (row === undefined) {
    return undefined;
  }
  await insertDeploymentLog(db, {
    deploymentId: row.id,
    // Never started: the line goes with the request's own "queued" line.
    step: row.current_step ?? 'QUEUED',
    level: 'error',
    message: `Deployment failed (${input.errorCode}): ${input.errorMessage}`,
  });
  return { id: row.id };
}
