import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

export const EXPORT_STATUSES = ['QUEUED', 'RENDERING', 'UPLOADING', 'READY', 'FAILED'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export const EXPORT_PAGE_SIZES = ['A4', 'Letter'] as const;
export type ExportPageSize = (typeof EXPORT_PAGE_SIZES)[number];

export interface ExportsTable {
  id: Generated<string>;
  portfolio_id: string;
  requested_by: string;
  /** The portfolio version rendered: a retry renders the same snapshot. */
  portfolio_version: number;
  format: Generated<'pdf'>;
  page_size: Generated<ExportPageSize>;
  status: Generated<ExportStatus>;
  progress: Generated<number>;
  attempt: Generated<number>;
  page_count: number | null;
  /** bigint: read as a string. */
  byte_size: ColumnType<string | null, number | null | undefined, number | null>;
  /** Key in the `exports` bucket. */
  storage_key: string | null;
  /** When the download link stops working. */
  expires_at: NullableTimestamp;
  error_code: string | null;
  error_message: string | null;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  updated_at: Timestamp;
}

/** Tables of PDF exports, merged into `Database`. */
export interface ExportsTables {
  exports: ExportsTable;
}
