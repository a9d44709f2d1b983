import { type Kysely, type Selectable, sql } from 'kysely';
import { z } from 'zod';

import type { Database } from '../../db/database-types.ts';
import type { PageQuery } from '../../db/query/paginate.ts';
import type { DeploymentsTable } from '../../db/tables/deployments-tables.ts';
import type { DeploymentLog, DeploymentSummary } from './deployment.types.ts';
import { publicFailureOf } from './deployments.errors.ts';

type Db = Kysely<Database>;

const COLUMNS = [
  'id',
  'portfolio_id',
  'portfolio_version',
  'status',
  'current_step',
  'progress',
  'attempt',
  'subdomain',
  'domain',
  'site_url',
  'content_hash',
  'error_code',
  'error_message',
  'queued_at',
  'started_at',
  'finished_at',
] as const;
type Column = (typeof COLUMNS)[number];
const JOINED_COLUMNS = COLUMNS.map((column): `d.${Column}` => `d.${column}`);

type DeploymentRow = Pick<Selectable<DeploymentsTable>, Column>;

function toSummary(row: DeploymentRow, isLive: boolean): DeploymentSummary {
  return {
    id: row.id,
    portfolioId: row.portfolio_id,
    portfolioVersion: row.portfolio_version,
    status: row.status,
    currentStep: row.current_step,
    progress: row.progress,
    attempt: row.attempt,
    subdomain: row.subdomain,
    domain: row.domain,
    siteUrl: row.site_url,
    contentHash: row.content_hash,
    error: publicFailureOf(row.error_code, row.error_message),
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    isLive,
  };
}

/** Deployments with their portfolio, so one query answers ownership and "is it live". */
function selectDeployments(db: Db) {
  return db
    .selectFrom('deployments as d')
    .innerJoin('portfolios as p', 'p.id', 'd.portfolio_id')
    .select(JOINED_COLUMNS)
    .select(sql<boolean>`coalesce(p.live_deployment_id = d.id, false)`.as('is_live'))
    .where('p.deleted_at', 'is', null);
}

/** What a deployment request and a rollback read from the portfolio they act on. */
export interface DeployablePortfolio {
  readonly id: string;
  readonly subdomain: string | null;
  readonly version: number;
  readonly liveDeploymentId: string | null;
}

/**
 * The owner's portfolio (not deleted). With `forUpdate`, the row stays locked until the
 * caller's transaction ends: requests and rollbacks for one portfolio run one at a time.
 */
export async function findDeployablePortfolio(
  db: Db,
  ownerId: string,
  portfolioId: string,
  options: { readonly forUpdate?: boolean } = {},
): Promise<DeployablePortfolio | undefined> {
  let query = db
    .selectFrom('portfolios')
    .select(['id', 'subdomain', 'version', 'live_deployment_id'])
    .where('id', '=', portfolioId)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null);
  if (options.forUpdate === true) {
    query = query.forUpdate();
  }
  const row = await query.executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        id: row.id,
        subdomain: row.subdomain,
        version: row.version,
        liveDeploymentId: row.live_deployment_id,
      };
}

/** The portfolio's queued or running deployment; the unique index allows at most one. */
export async function findUnfinishedDeployment(
  db: Db,
  portfolioId: string,
): Promise<DeploymentSummary | undefined> {
  const row = await selectDeployments(db)
    .where('d.portfolio_id', '=', portfolioId)
    .where('d.status', 'not in', ['DEPLOYED', 'FAILED'])
    .executeTakeFirst();
  return row === undefined ? undefined : toSummary(row, row.is_live);
}

/** A deployment of one of the owner's (not deleted) portfolios. */
export async function findOwnedDeployment(
  db: Db,
  ownerId: string,
  deploymentId: string,
): Promise<DeploymentSummary | undefined> {
  const row = await selectDeployments(db)
    .where('d.id', '=', deploymentId)
    .where('p.owner_id', '=', ownerId)
    .executeTakeFirst();
  return row === undefined ? undefined : toSummary(row, row.is_live);
}

/** A deployment by id, only if it belongs to `portfolioId`. */
export async function findPortfolioDeployment(
  db: Db,
  portfolioId: string,
  deploymentId: string,
): Promise<DeploymentSummary | undefined> {
  const row = await selectDeployments(db)
    .where('d.id', '=', deploymentId)
    .where('d.portfolio_id', '=', portfolioId)
    .executeTakeFirst();
  return row === undefined ? undefined : toSummary(row, row.is_live);
}

export interface NewDeployment {
  readonly portfolioId: string;
  readonly requestedBy: string;
  readonly portfolioVersion: number;
  readonly subdomain: string;
  readonly domain: string | null;
  readonly siteUrl: string;
}

/**
 * Inserts a QUEUED deployment. Throws the unique violation of
 * `deployments_one_unfinished_per_portfolio` when the portfolio already has one unfinished.
 */
export async function insertDeployment(db: Db, input: NewDeployment): Promise<DeploymentSummary> {
  const row = await db
    .insertInto('deployments')
    .values({
      portfolio_id: input.portfolioId,
      requested_by: input.requestedBy,
      portfolio_version: input.portfolioVersion,
      subdomain: input.subdomain,
      domain: input.domain,
      site_url: input.siteUrl,
      // Written by the build step; the column type asks for JSON text, so say NULL in SQL.
      site_manifest: sql<string>`NULL`,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toSummary(row, false);
}

export interface NewDeploymentLog {
  readonly deploymentId: string;
  readonly step: string | null;
  readonly level: DeploymentLog['level'];
  readonly message: string;
}

export async function insertDeploymentLog(db: Db, log: NewDeploymentLog): Promise<void> {
  await db
    .insertInto('deployment_logs')
    .values({
      deployment_id: log.deploymentId,
      step: log.step,
      level: log.level,
      message: log.message,
    })
    .execute();
}

/** The newest `limit` log lines of a deployment, returned oldest first. */
export async function listRecentDeploymentLogs(
  db: Db,
  deploymentId: string,
  limit: number,
): Promise<DeploymentLog[]> {
  const rows = await db
    .selectFrom('deployment_logs')
    .select(['step', 'level', 'message', 'created_at'])
    .where('deployment_id', '=', deploymentId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((row) => ({
    step: row.step,
    level: row.level,
    message: row.message,
    time: row.created_at,
  }));
}

/** Keyset position in a portfolio's deployments, newest queued first. */
export const deploymentPageKeySchema = z.object({ queuedAt: z.iso.datetime(), id: z.uuid() });
export type DeploymentPageKey = z.infer<typeof deploymentPageKeySchema>;

export function deploymentPageKeyOf(deployment: DeploymentSummary): DeploymentPageKey {
  return { queuedAt: deployment.queuedAt.toISOString(), id: deployment.id };
}

/** One page of a portfolio's deployments, served by (portfolio_id, queued_at DESC, id DESC). */
export async function listPortfolioDeployments(
  db: Db,
  portfolioId: string,
  query: PageQuery<DeploymentPageKey>,
): Promise<DeploymentSummary[]> {
  const { after } = query;
  let builder = selectDeployments(db).where('d.portfolio_id', '=', portfolioId);
  if (after !== undefined) {
    builder = builder.where(
      sql<boolean>`(d.queued_at, d.id) < (${after.queuedAt}::timestamptz, ${after.id}::uuid)`,
    );
  }
  const rows = await builder
    .orderBy('d.queued_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return rows.map((row) => toSummary(row, row.is_live));
}

export async function countPortfolioDeployments(db: Db, portfolioId: string): Promise<number> {
  const { total } = await db
    .selectFrom('deployments')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('portfolio_id', '=', portfolioId)
    .executeTakeFirstOrThrow();
  return Number(total);
}

/** Points the portfolio's sites at `deploymentId`; the caller holds the portfolio row lock. */
export async function setLiveDeployment(
  db: Db,
  portfolioId: string,
  deploymentId: string,
): Promise<void> {
  await db
    .updateTable('portfolios')
    .set({ live_deployment_id: deploymentId })
    .where('id', '=', portfolioId)
    .execute();
}
