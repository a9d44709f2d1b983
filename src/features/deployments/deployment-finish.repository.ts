import { type Kysely, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { insertLogLines, type LogLine } from './deployment-runs.repository.ts';

// The two ends of a deployment run. Both run in the caller's transaction, beside the webhook
// deliveries and outbox jobs that announce them, and both refuse a deployment that already
// finished (a run that overlapped another after a stall).
type Db = Kysely<Database>;

/**
 * Final failure, in the caller's transaction. Undefined when the deployment had already finished
 * (a concurrent run got there first): the caller then notifies nobody.
 */
export async function markDeploymentFailed(
  trx: Db,
  input: {
    readonly deploymentId: string;
    readonly errorCode: string;
    readonly errorMessage: string;
    readonly logs: readonly LogLine[];
  },
): Promise<{ readonly finishedAt: Date } | undefined> {
  const row = await trx
    .updateTable('deployments')
    .set({
      status: 'FAILED',
      error_code: input.errorCode,
      error_message: input.errorMessage,
      finished_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', input.deploymentId)
    .where('status', 'not in', ['DEPLOYED', 'FAILED'])
    .returning('finished_at')
    .executeTakeFirst();
  if (row === undefined || row.finished_at === null) {
    return undefined;
  }
  await insertLogLines(trx, input.deploymentId, input.logs);
  return { finishedAt: row.finished_at };
}

export type ActivationResult =
  | { readonly status: 'activated'; readonly finishedAt: Date }
  | { readonly status: 'already_finished' }
  | { readonly status: 'portfolio_missing' };

/**
 * The switch to live, in the caller's transaction: locks the portfolio row (so two switches
 * cannot interleave), points it at the deployment, and finishes the deployment as DEPLOYED.
 */
export async function activateDeployment(
  trx: Db,
  input: {
    readonly deploymentId: string;
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
  const finished = await trx
    .updateTable('deployments')
    .set({
      status: 'DEPLOYED',
      current_step: 'ACTIVATING',
      progress: 100,
      error_code: null,
      error_message: null,
      finished_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', input.deploymentId)
    .where('status', 'not in', ['DEPLOYED', 'FAILED'])
    .returning('finished_at')
    .executeTakeFirst();
  if (finished === undefined || finished.finished_at === null) {
    return { status: 'already_finished' };
  }
  await trx
    .updateTable('portfolios')
    // Deploying publishes: the site goes live with it (keeping the first publication time).
    .set({
      live_deployment_id: input.deploymentId,
      is_published: true,
      published_at: sql<Date>`coalesce(published_at, now())`,
    })
    .where('id', '=', input.portfolioId)
    .execute();
  await trx
    .insertInto('deployment_steps')
    .values({
      deployment_id: input.deploymentId,
      step: 'ACTIVATING',
      attempt: input.attempt,
      result: JSON.stringify({}),
    })
    .onConflict((conflict) => conflict.columns(['deployment_id', 'step']).doNothing())
    .execute();
  await insertLogLines(trx, input.deploymentId, [input.log]);
  return { status: 'activated', finishedAt: finished.finished_at };
}
