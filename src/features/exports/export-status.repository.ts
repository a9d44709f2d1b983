import { type Kysely, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { EXPORT_ABANDONED_CODE, IN_FLIGHT_EXPORT_STATUSES } from './export.types.ts';
import type { NewExport } from './exports.repository.ts';

type Db = Kysely<Database>;

// The transitions of one `export.render` run. Each changes only an unfinished export, so a
// late write from an earlier attempt can never reopen a READY or FAILED one.

/**
 * RENDERING for this attempt, progress back to 0. Only an unfinished export moves: false
 * means it is READY or FAILED already.
 */
export async function markRendering(db: Db, id: string, attempt: number): Promise<boolean> {
  const result = await db
    .updateTable('exports')
    .set({
      status: 'RENDERING',
      progress: 0,
      attempt,
      started_at: sql<Date>`coalesce(started_at, now())`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', 'in', IN_FLIGHT_EXPORT_STATUSES)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Raises the stored progress of a rendering export; a late or lower value changes nothing. */
export async function raiseProgress(db: Db, id: string, progress: number): Promise<void> {
  await db
    .updateTable('exports')
    .set({ progress, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'RENDERING')
    .where('progress', '<', progress)
    .execute();
}

export async function markUploading(db: Db, id: string, progress: number): Promise<void> {
  await db
    .updateTable('exports')
    .set({
      status: 'UPLOADING',
      progress: sql<number>`greatest(progress, ${progress})`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', 'in', IN_FLIGHT_EXPORT_STATUSES)
    .execute();
}

export interface StoredExportFile {
  readonly storageKey: string;
  readonly pageCount: number;
  readonly byteSize: number;
  readonly expiresAt: Date;
}

/** Records the stored file; from now on a retry only has to mail and finish. */
export async function recordStoredFile(db: Db, id: string, file: StoredExportFile): Promise<void> {
  await db
    .updateTable('exports')
    .set({
      storage_key: file.storageKey,
      page_count: file.pageCount,
      byte_size: file.byteSize,
      expires_at: file.expiresAt,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', 'in', IN_FLIGHT_EXPORT_STATUSES)
    .execute();
}

/** What a READY export tells its requester's webhooks (`export.ready`). */
export interface ReadyExport {
  readonly portfolioId: string;
  readonly requestedBy: string;
  readonly pageSize: string;
  readonly pageCount: number | null;
  readonly byteSize: number | null;
  readonly expiresAt: Date | null;
  readonly finishedAt: Date | null;
}

/** READY with the stored file; undefined when the export was not in flight (nothing changed). */
export async function markReady(db: Db, id: string): Promise<ReadyExport | undefined> {
  const row = await db
    .updateTable('exports')
    .set({
      status: 'READY',
      progress: 100,
      error_code: null,
      error_message: null,
      finished_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', 'in', IN_FLIGHT_EXPORT_STATUSES)
    .returning([
      'portfolio_id',
      'requested_by',
      'page_size',
      'page_count',
      'byte_size',
      'expires_at',
      'finished_at',
    ])
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        portfolioId: row.portfolio_id,
        requestedBy: row.requested_by,
        pageSize: row.page_size,
        pageCount: row.page_count,
        byteSize: row.byte_size === null ? null : Number(row.byte_size),
        expiresAt: row.expires_at,
        finishedAt: row.finished_at,
      };
}

/**
 * FAILED (`export.abandoned`) for each unfinished export a request for `match` would join
 * whose row has not changed for `staleAfterSeconds`, so requests stop joining one that will
 * never finish. Returns how many were given up; a job that wakes up for one later skips it.
 */
export async function abandonStaleExports(
  db: Db,
  match: NewExport,
  staleAfterSeconds: number,
): Promise<number> {
  const result = await db
    .updateTable('exports')
    .set({
      status: 'FAILED',
      error_code: EXPORT_ABANDONED_CODE,
      error_message: 'The export stopped making progress and was replaced by a new one.',
      finished_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('portfolio_id', '=', match.portfolioId)
    .where('requested_by', '=', match.requestedBy)
    .where('portfolio_version', '=', match.portfolioVersion)
    .where('page_size', '=', match.pageSize)
    .where('status', 'in', IN_FLIGHT_EXPORT_STATUSES)
    .where(
      'updated_at',
      '<',
      sql<Date>`now() - ${staleAfterSeconds}::integer * interval '1 second'`,
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface ExportFailure {
  readonly code: string;
  readonly message: string;
}

const MAX_ERROR_CODE_LENGTH = 100;
const MAX_ERROR_MESSAGE_LENGTH = 1000;

/**
 * A failed attempt. `final`: FAILED for good; otherwise back to QUEUED (the queue retries it
 * after its backoff) with the reason kept for the requester to see.
 */
export async function recordFailure(
  db: Db,
  id: string,
  failure: ExportFailure & { readonly final: boolean; readonly attempt: number },
): Promise<void> {
  await db
    .updateTable('exports')
    .set({
      status: failure.final ? 'FAILED' : 'QUEUED',
      attempt: sql<number>`greatest(attempt, ${failure.attempt})`,
      error_code: failure.code.slice(0, MAX_ERROR_CODE_LENGTH),
      error_message: failure.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
      ...(failure.final ? { finished_at: sql<Date>`now()` } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', 'in', IN_FLIGHT_EXPORT_STATUSES)
    .execute();
}
