import { type Kysely, sql } from 'kysely';

import type { Database, PortfolioRow, PortfolioVersionRow } from '../../db/database-types.ts';
import { type NewestFirstKey, pageNewestFirst } from '../../db/query/newest-first.ts';
import type { PageQuery } from '../../db/query/paginate.ts';
import type {
  Portfolio,
  PortfolioSummary,
  PortfolioVersion,
  PortfolioVersionSummary,
  PortfolioVisibility,
} from './portfolio.types.ts';

type Db = Kysely<Database>;

const SUMMARY_COLUMNS = [
  'id',
  'template_id',
  'title',
  'slug',
  'subdomain',
  'visibility',
  'is_published',
  'published_at',
  'version',
  'created_at',
  'updated_at',
] as const;
const DETAIL_COLUMNS = [...SUMMARY_COLUMNS, 'content'] as const;

const VERSION_SUMMARY_COLUMNS = [
  'version',
  'title',
  'template_id',
  'author_id',
  'created_at',
  'archived_at',
] as const;

type SummaryRow = Pick<PortfolioRow, (typeof SUMMARY_COLUMNS)[number]>;
type VersionSummaryRow = Pick<PortfolioVersionRow, (typeof VERSION_SUMMARY_COLUMNS)[number]>;

function toSummary(row: SummaryRow): PortfolioSummary {
  return {
    id: row.id,
    templateId: row.template_id,
    title: row.title,
    slug: row.slug,
    subdomain: row.subdomain,
    visibility: row.visibility,
    isPublished: row.is_published,
    publishedAt: row.published_at,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toPortfolio(row: SummaryRow & Pick<PortfolioRow, 'content'>): Portfolio {
  return { ...toSummary(row), content: row.content };
}

function toVersionSummary(row: VersionSummaryRow): PortfolioVersionSummary {
  return {
    version: row.version,
    title: row.title,
    templateId: row.template_id,
    authorId: row.author_id,
    createdAt: row.created_at,
    archivedAt: row.archived_at,
  };
}

export interface NewPortfolio {
  readonly ownerId: string;
  readonly templateId: string;
  readonly title: string;
  readonly slug: string;
  readonly subdomain: string | null;
  readonly visibility: PortfolioVisibility;
  readonly content: unknown;
}

export async function insertPortfolio(db: Db, input: NewPortfolio): Promise<Portfolio> {
  const row = await db
    .insertInto('portfolios')
    .values({
      owner_id: input.ownerId,
      template_id: input.templateId,
      title: input.title,
      slug: input.slug,
      subdomain: input.subdomain,
      visibility: input.visibility,
      content: JSON.stringify(input.content),
    })
    .returning(DETAIL_COLUMNS)
    .executeTakeFirstOrThrow();
  return toPortfolio(row);
}

export async function findPortfolio(
  db: Db,
  ownerId: string,
  id: string,
  options: { readonly forUpdate?: boolean } = {},
): Promise<Portfolio | undefined> {
  let query = db
    .selectFrom('portfolios')
    .select(DETAIL_COLUMNS)
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null);
  if (options.forUpdate === true) {
    query = query.forUpdate();
  }
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : toPortfolio(row);
}

export interface PortfolioChanges {
  readonly title?: string | undefined;
  readonly templateId?: string | undefined;
  readonly slug?: string | undefined;
  readonly subdomain?: string | null | undefined;
  readonly visibility?: PortfolioVisibility | undefined;
  readonly content?: unknown;
}

/** Applies the changes and bumps the version counter; the caller holds the row lock. */
export async function updatePortfolioRow(
  db: Db,
  id: string,
  changes: PortfolioChanges,
): Promise<Portfolio> {
  const row = await db
    .updateTable('portfolios')
    .set({
      ...(changes.title === undefined ? {} : { title: changes.title }),
      ...(changes.templateId === undefined ? {} : { template_id: changes.templateId }),
      ...(changes.slug === undefined ? {} : { slug: changes.slug }),
      ...(changes.subdomain === undefined ? {} : { subdomain: changes.subdomain }),
      ...(changes.visibility === undefined ? {} : { visibility: changes.visibility }),
      ...(changes.content === undefined ? {} : { content: JSON.stringify(changes.content) }),
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .returning(DETAIL_COLUMNS)
    .executeTakeFirstOrThrow();
  return toPortfolio(row);
}

export async function setPublished(
  db: Db,
  ownerId: string,
  id: string,
  published: boolean,
): Promise<Portfolio | undefined> {
  const row = await db
    .updateTable('portfolios')
    .set({
      is_published: published,
      // Keeps the first publication time across repeated publish calls.
      published_at: published ? sql<Date>`coalesce(published_at, now())` : null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .returning(DETAIL_COLUMNS)
    .executeTakeFirst();
  return row === undefined ? undefined : toPortfolio(row);
}

/** Soft-deletes the portfolio; returns the subdomain it released, or undefined if not found. */
export async function softDeletePortfolio(
  db: Db,
  ownerId: string,
  id: string,
): Promise<{ readonly subdomain: string | null } | undefined> {
  return db
    .updateTable('portfolios')
    .set({ deleted_at: sql<Date>`now()`, is_published: false, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .returning('subdomain')
    .executeTakeFirst();
}

export async function listPortfolioSummaries(
  db: Db,
  ownerId: string,
  query: PageQuery<NewestFirstKey>,
): Promise<PortfolioSummary[]> {
  const rows = await pageNewestFirst(
    db
      .selectFrom('portfolios')
      .select(SUMMARY_COLUMNS)
      .where('owner_id', '=', ownerId)
      .where('deleted_at', 'is', null),
    query,
  ).execute();
  return rows.map(toSummary);
}

export async function countPortfolios(db: Db, ownerId: string): Promise<number> {
  const { total } = await db
    .selectFrom('portfolios')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(total);
}

export interface VersionSnapshot {
  readonly portfolioId: string;
  readonly version: number;
  readonly title: string;
  readonly templateId: string;
  readonly content: unknown;
  readonly authorId: string;
}

export async function insertVersion(db: Db, snapshot: VersionSnapshot): Promise<void> {
  await db
    .insertInto('portfolio_versions')
    .values({
      portfolio_id: snapshot.portfolioId,
      version: snapshot.version,
      title: snapshot.title,
      template_id: snapshot.templateId,
      content: JSON.stringify(snapshot.content),
      author_id: snapshot.authorId,
    })
    .execute();
}

export async function findVersion(
  db: Db,
  portfolioId: string,
  version: number,
): Promise<PortfolioVersion | undefined> {
  const row = await db
    .selectFrom('portfolio_versions')
    .select([...VERSION_SUMMARY_COLUMNS, 'content'])
    .where('portfolio_id', '=', portfolioId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row === undefined ? undefined : { ...toVersionSummary(row), content: row.content };
}

export async function listVersionSummaries(
  db: Db,
  portfolioId: string,
  query: PageQuery<number>,
): Promise<PortfolioVersionSummary[]> {
  let builder = db
    .selectFrom('portfolio_versions')
    .select(VERSION_SUMMARY_COLUMNS)
    .where('portfolio_id', '=', portfolioId);
  if (query.after !== undefined) {
    builder = builder.where('version', '<', query.after);
  }
  const rows = await builder
    .orderBy('version', 'desc')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return rows.map(toVersionSummary);
}

export async function countVersions(db: Db, portfolioId: string): Promise<number> {
  const { total } = await db
    .selectFrom('portfolio_versions')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('portfolio_id', '=', portfolioId)
    .executeTakeFirstOrThrow();
  return Number(total);
}
