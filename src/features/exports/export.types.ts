import type { Readable } from 'node:stream';

import { z } from 'zod';

import {
  EXPORT_PAGE_SIZES,
  EXPORT_STATUSES,
  type ExportPageSize,
  type ExportStatus,
} from '../../db/tables/exports-tables.ts';
import type { BucketName } from '../../integrations/storage/storage.ts';

export { EXPORT_PAGE_SIZES, EXPORT_STATUSES, type ExportPageSize, type ExportStatus };

/** The states in which an export is still on its way: a repeat request joins it. */
export const IN_FLIGHT_EXPORT_STATUSES = [
  'QUEUED',
  'RENDERING',
  'UPLOADING',
] as const satisfies readonly ExportStatus[];

/**
 * An unfinished export whose row has not changed for this long is taken as abandoned: its job
 * was lost, stalled out, or died while recording its failure. The next request for the same
 * version and page size marks it FAILED (`export.abandoned`) and starts a new one. Every
 * status and progress write touches `updated_at`, and no single step of a live render (one
 * layout step, one storage upload with its retries, a retry's backoff) comes close to this.
 * An export still waiting behind a queue backlog (or for Redis) this long is replaced too;
 * its job then finds it FAILED and skips it.
 */
export const EXPORT_STALE_AFTER_SECONDS = 15 * 60;

/** The stored `error_code` of an export replaced because it stopped making progress. */
export const EXPORT_ABANDONED_CODE = 'export.abandoned';

/** Where finished PDFs are stored (R-JOB-7). */
export const EXPORT_BUCKET: BucketName = 'exports';

/** How long the emailed link works (R-JOB-7): 7 days, the longest an S3 presigned URL may live. */
export const EXPORT_LINK_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

/** The filename served with a PDF (`{slug}.pdf`) and stored as the key's last segment. */
export function exportFileName(slug: string): string {
  return `${slug}.pdf`;
}

/** One PDF export as stored (R-JOB-6, R-JOB-7). */
export interface PdfExport {
  readonly id: string;
  readonly portfolioId: string;
  readonly requestedBy: string;
  /** The snapshot rendered: a retry renders the same version even if the portfolio changed. */
  readonly portfolioVersion: number;
  readonly format: 'pdf';
  readonly pageSize: ExportPageSize;
  readonly status: ExportStatus;
  /** 0–100; it rises within a render and restarts from 0 when a retry renders again. */
  readonly progress: number;
  /** The job attempt that last worked on it (0 before the first). */
  readonly attempt: number;
  readonly pageCount: number | null;
  readonly byteSize: number | null;
  /** Key in the `exports` bucket once the file is stored. */
  readonly storageKey: string | null;
  /** When the download link stops working. */
  readonly expiresAt: Date | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly updatedAt: Date;
}

/** An export as its requester sees it: a fresh signed link while the file is available. */
export interface PdfExportView extends PdfExport {
  /** Signed link valid until `expiresAt`; null unless READY and not yet expired. */
  readonly downloadUrl: string | null;
  /** True once a READY export's link lifetime is over (the status stays READY). */
  readonly expired: boolean;
}

export const requestExportInputSchema = z.strictObject({
  pageSize: z.enum(EXPORT_PAGE_SIZES).optional(),
});
export type RequestExportInput = z.infer<typeof requestExportInputSchema>;

/** The answer to "give me this portfolio as a PDF". */
export type PortfolioPdf =
  | {
      /** Small enough to render while the request waits (R-JOB-6). */
      readonly kind: 'inline';
      readonly fileName: string;
      /** The PDF bytes as they are laid out; the caller must read or destroy it. */
      readonly body: Readable;
    }
  | {
      /** Too large for the request: an export job was queued (or an in-flight one joined). */
      readonly kind: 'queued';
      readonly export: PdfExport;
    };
