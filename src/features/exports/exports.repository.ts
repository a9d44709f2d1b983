import type { Kysely, Selectable } from 'kysely';

import type { Database, TemplatePaletteColumn } from '../../db/database-types.ts';
import type { ExportsTable } from '../../db/tables/exports-tables.ts';
import { type ExportPageSize, IN_FLIGHT_EXPORT_STATUSES, type PdfExport } from './export.types.ts';

type Db = Kysely<Database>;

const EXPORT_COLUMNS = [
  'id',
  'portfolio_id',
  'requested_by',
  'portfolio_version',
  'format',
  'page_size',
  'status',
  'progress',
  'attempt',
  'page_count',
  'byte_size',
  'storage_key',
  'expires_at',
  'error_code',
  'error_message',
  'created_at',
  'started_at',
  'finished_at',
  'updated_at',
] as const;

type ExportRow = Pick<Selectable<ExportsTable>, (typeof EXPORT_COLUMNS)[number]>;

function toExport(row: ExportRow): PdfExport {
  return {
    id: row.id,
    portfolioId: row.portfolio_id,
    requestedBy: row.requested_by,
    portfolioVersion: row.portfolio_version,
    format: row.format,
    pageSize: row.page_size,
    status: row.status,
    progress: row.progress,
    attempt: row.attempt,
    pageCount: row.page_count,
    byteSize: row.byte_size === null ? null : Number(row.byte_size),
    storageKey: row.storage_key,
    expiresAt: row.expires_at,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

/** A live portfolio of `ownerId` as an export sees it. */
export interface ExportablePortfolio {
  readonly id: string;
  readonly slug: string;
  readonly title: string;
  readonly version: number;
}

/**
 * Locks the owner's live portfolio row for the rest of the transaction, so two export
 * requests for it run one after the other (the second sees the first's row).
 */
export async function lockExportablePortfolio(
  db: Db,
  ownerId: string,
  portfolioId: string,
): Promise<ExportablePortfolio | undefined> {
  return db
    .selectFrom('portfolios')
    .select(['id', 'slug', 'title', 'version'])
    .where('id', '=', portfolioId)
    .where('owner_id', '=', ownerId)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export interface PortfolioToRender extends ExportablePortfolio {
  /** As stored (validated on write); parse before rendering. */
  readonly content: unknown;
  readonly palette: TemplatePaletteColumn;
}

/** The owner's live portfolio with its template's colours, for an in-request render. */
export async function findPortfolioToRender(
  db: Db,
  ownerId: string,
  portfolioId: string,
): Promise<PortfolioToRender | undefined> {
  return db
    .selectFrom('portfolios')
    .innerJoin('templates', 'templates.id', 'portfolios.template_id')
    .select([
      'portfolios.id',
      'portfolios.slug',
      'portfolios.title',
      'portfolios.version',
      'portfolios.content',
      'templates.palette',
    ])
    .where('portfolios.id', '=', portfolioId)
    .where('portfolios.owner_id', '=', ownerId)
    .where('portfolios.deleted_at', 'is', null)
    .executeTakeFirst();
}

export interface NewExport {
  readonly portfolioId: string;
  readonly requestedBy: string;
  readonly portfolioVersion: number;
  readonly pageSize: ExportPageSize;
}

/** An export of the same portfolio version and page size that has not finished yet. */
export async function findInFlightExport(db: Db, input: NewExport): Promise<PdfExport | undefined> {
  const row = await db
    .selectFrom('exports')
    .select(EXPORT_COLUMNS)
    .where('portfolio_id', '=', input.portfolioId)
    .where('requested_by', '=', input.requestedBy)
    .where('portfolio_version', '=', input.portfolioVersion)
    .where('page_size', '=', input.pageSize)
    .where('status', 'in', IN_FLIGHT_EXPORT_STATUSES)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : toExport(row);
}

export async function insertExport(db: Db, input: NewExport): Promise<PdfExport> {
  const row = await db
    .insertInto('exports')
    .values({
      portfolio_id: input.portfolioId,
      requested_by: input.requestedBy,
      portfolio_version: input.portfolioVersion,
      page_size: input.pageSize,
    })
    .returning(EXPORT_COLUMNS)
    .executeTakeFirstOrThrow();
  return toExport(row);
}

/** The export if `requestedBy` asked for it; another user's id reads as missing. */
export async function findOwnedExport(
  db: Db,
  requestedBy: string,
  id: string,
): Promise<PdfExport | undefined> {
  const row = await db
    .selectFrom('exports')
    .select(EXPORT_COLUMNS)
    .where('id', '=', id)
    .where('requested_by', '=', requestedBy)
    .executeTakeFirst();
  return row === undefined ? undefined : toExport(row);
}

/** What the render job needs: the export, the snapshot it renders and whom to mail. */
export interface ExportSource {
  readonly export: PdfExport;
  readonly title: string;
  readonly slug: string;
  readonly content: unknown;
  readonly palette: TemplatePaletteColumn;
  readonly portfolioDeleted: boolean;
  readonly recipient: { readonly email: string | null; readonly name: string | null };
}

export async function findExportSource(db: Db, id: string): Promise<ExportSource | undefined> {
  const row = await db
    .selectFrom('exports')
    .innerJoin('portfolios', 'portfolios.id', 'exports.portfolio_id')
    .innerJoin('portfolio_versions', (join) =>
      join
        .onRef('portfolio_versions.portfolio_id', '=', 'exports.portfolio_id')
        .onRef('portfolio_versions.version', '=', 'exports.portfolio_version'),
    )
    .innerJoin('templates', 'templates.id', 'portfolio_versions.template_id')
    .innerJoin('users', 'users.id', 'exports.requested_by')
    .select(EXPORT_COLUMNS.map((column) => `exports.${column}` as const))
    .select([
      'portfolio_versions.title as snapshot_title',
      'portfolio_versions.content as snapshot_content',
      'portfolios.slug as portfolio_slug',
      'portfolios.deleted_at as portfolio_deleted_at',
      'templates.palette as template_palette',
      'users.email as recipient_email',
      'users.name as recipient_name',
    ])
    .where('exports.id', '=', id)
    .executeTakeFirst();
  if (row === undefined) {
    return undefined;
  }
  return {
    export: toExport(row),
    title: row.snapshot_title,
    slug: row.portfolio_slug,
    content: row.snapshot_content,
    palette: row.template_palette,
    portfolioDeleted: row.portfolio_deleted_at !== null,
    recipient: { email: row.recipient_email, name: row.recipient_name },
  };
}

/** What the "your PDF is ready" mail needs about an export. */
export interface ExportReadyNotice {
  readonly status: PdfExport['status'];
  readonly storageKey: string | null;
  readonly expiresAt: Date | null;
  /** The title of the version rendered. */
  readonly portfolioTitle: string;
  readonly recipientEmail: string | null;
  readonly recipientName: string | null;
}

export async function findReadyNotice(db: Db, id: string): Promise<ExportReadyNotice | undefined> {
  const row = await db
    .selectFrom('exports')
    .innerJoin('portfolio_versions', (join) =>
      join
        .onRef('portfolio_versions.portfolio_id', '=', 'exports.portfolio_id')
        .onRef('portfolio_versions.version', '=', 'exports.portfolio_version'),
    )
    .innerJoin('users', 'users.id', 'exports.requested_by')
    .select([
      'exports.status',
      'exports.storage_key',
      'exports.expires_at',
      'portfolio_versions.title',
      'users.email',
      'users.name',
    ])
    .where('exports.id', '=', id)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        status: row.status,
        storageKey: row.storage_key,
        expiresAt: row.expires_at,
        portfolioTitle: row.title,
        recipientEmail: row.email,
        recipientName: row.name,
      };
}
