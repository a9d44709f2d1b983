import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { DeploymentStatus } from '../../db/tables/deployments-tables.ts';

// What a deployment run reads besides its own rows: the portfolio, its version snapshot, the
// template, the custom domain, and the owner to notify. Read-only.
type Db = Kysely<Database>;

export interface DeploymentPortfolio {
  readonly ownerId: string;
  readonly slug: string;
  readonly deleted: boolean;
}

/** The portfolio, deleted or not (the caller decides what a deleted one means). */
export async function findDeploymentPortfolio(
  db: Db,
  portfolioId: string,
): Promise<DeploymentPortfolio | undefined> {
  const row = await db
    .selectFrom('portfolios')
    .select(['owner_id', 'slug', 'deleted_at'])
    .where('id', '=', portfolioId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { ownerId: row.owner_id, slug: row.slug, deleted: row.deleted_at !== null };
}

export interface VersionSnapshot {
  readonly title: string;
  readonly templateId: string;
  /** Unchecked JSON: the caller parses it with the content schema. */
  readonly content: unknown;
}

export async function findVersionSnapshot(
  db: Db,
  portfolioId: string,
  version: number,
): Promise<VersionSnapshot | undefined> {
  const row = await db
    .selectFrom('portfolio_versions')
    .select(['title', 'template_id', 'content'])
    .where('portfolio_id', '=', portfolioId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { title: row.title, templateId: row.template_id, content: row.content };
}

export interface BuildTemplate {
  readonly slug: string;
  readonly source: string;
  readonly css: string;
  readonly isActive: boolean;
}

export async function findBuildTemplate(
  db: Db,
  templateId: string,
): Promise<BuildTemplate | undefined> {
  const row = await db
    .selectFrom('templates')
    .select(['slug', 'source', 'css', 'is_active'])
    .where('id', '=', templateId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { slug: row.slug, source: row.source, css: row.css, isActive: row.is_active };
}

/** Whether another portfolio that is not deleted holds the subdomain. */
export async function isSubdomainHeldByAnother(
  db: Db,
  subdomain: string,
  portfolioId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('portfolios')
    .select('id')
    .where('subdomain', '=', subdomain)
    .where('id', '!=', portfolioId)
    .where('deleted_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface PortfolioDomain {
  readonly id: string;
  readonly verified: boolean;
  readonly certificateChainKey: string | null;
  readonly certificateKeyKey: string | null;
  readonly certificateNotAfter: Date | null;
}

/**
 * The custom domain of this portfolio by name, or undefined when it is not (or no longer) its.
 * With `forUpdate`, the row stays locked until the caller's transaction ends.
 */
export async function findPortfolioDomain(
  db: Db,
  portfolioId: string,
  domain: string,
  options: { readonly forUpdate?: boolean } = {},
): Promise<PortfolioDomain | undefined> {
  let query = db
    .selectFrom('custom_domains')
    .select([
      'id',
      'verified_at',
      'certificate_chain_key',
      'certificate_key_key',
      'certificate_not_after',
    ])
    .where('portfolio_id', '=', portfolioId)
    .where('domain', '=', domain);
  if (options.forUpdate === true) {
    query = query.forUpdate();
  }
  const row = await query.executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        id: row.id,
        verified: row.verified_at !== null,
        certificateChainKey: row.certificate_chain_key,
        certificateKeyKey: row.certificate_key_key,
        certificateNotAfter: row.certificate_not_after,
      };
}

/** What the failure mail says, and to whom. */
export interface FailureNotice {
  readonly status: DeploymentStatus;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly portfolioId: string;
  readonly portfolioTitle: string;
  readonly recipientEmail: string | null;
  readonly recipientName: string | null;
}

export async function findFailureNotice(
  db: Db,
  deploymentId: string,
): Promise<FailureNotice | undefined> {
  const row = await db
    .selectFrom('deployments')
    .innerJoin('portfolios', 'portfolios.id', 'deployments.portfolio_id')
    .innerJoin('users', 'users.id', 'deployments.requested_by')
    .select([
      'deployments.status',
      'deployments.error_code',
      'deployments.error_message',
      'portfolios.id as portfolio_id',
      'portfolios.title',
      'users.email',
      'users.name',
    ])
    .where('deployments.id', '=', deploymentId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        status: row.status,
        errorCode: row.error_code,
        errorMessage: row.error_message,
        portfolioId: row.portfolio_id,
        portfolioTitle: row.title,
        recipientEmail: row.email,
        recipientName: row.name,
      };
}
