import { z } from '@hono/zod-openapi';

import {
  EXPORT_PAGE_SIZES,
  EXPORT_STATUSES,
  type PdfExport,
  type PdfExportView,
} from '../../features/exports/export.types.ts';

const timestamp = z.iso.datetime();

export const exportSchema = z
  .object({
    id: z.uuid(),
    portfolioId: z.uuid(),
    portfolioVersion: z.int().openapi({ description: 'The portfolio version rendered' }),
    format: z.literal('pdf'),
    pageSize: z.enum(EXPORT_PAGE_SIZES),
    status: z.enum(EXPORT_STATUSES),
    progress: z.int().min(0).max(100).openapi({
      description: 'Percent done; restarts from 0 when a retry renders again',
    }),
    attempt: z.int().openapi({ description: 'The job attempt that last worked on it' }),
    pageCount: z.int().nullable(),
    byteSize: z.int().nullable(),
    expiresAt: timestamp
      .nullable()
      .openapi({ description: 'When the download link stops working' }),
    expired: z.boolean().openapi({
      description: 'True once a READY export is past expiresAt: no link any more, export again',
    }),
    downloadUrl: z.string().nullable().openapi({
      description: 'A signed link valid until expiresAt; present only while READY and unexpired',
    }),
    error: z
      .object({ code: z.string(), message: z.string() })
      .nullable()
      .openapi({
        description:
          'Why the export FAILED, or why the last attempt failed: a stable code (e.g. ' +
          '`storage.unavailable`, `portfolio.not_found`, `export.abandoned` for one that stopped ' +
          'making progress, `export.internal` for an unexpected error) and a message for people',
      }),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    updatedAt: timestamp,
  })
  .openapi('Export');

export const pageSizeQuerySchema = z.object({
  pageSize: z
    .enum(EXPORT_PAGE_SIZES)
    .optional()
    .openapi({ description: 'Paper size. @defaultValue A4', example: 'A4' }),
});

export function presentExport(view: PdfExportView) {
  return {
    id: view.id,
    portfolioId: view.portfolioId,
    portfolioVersion: view.portfolioVersion,
    format: view.format,
    pageSize: view.pageSize,
    status: view.status,
    progress: view.progress,
    attempt: view.attempt,
    pageCount: view.pageCount,
    byteSize: view.byteSize,
    expiresAt: view.expiresAt?.toISOString() ?? null,
    expired: view.expired,
    downloadUrl: view.downloadUrl,
    error:
      view.errorCode === null ? null : { code: view.errorCode, message: view.errorMessage ?? '' },
    createdAt: view.createdAt.toISOString(),
    startedAt: view.startedAt?.toISOString() ?? null,
    finishedAt: view.finishedAt?.toISOString() ?? null,
    updatedAt: view.updatedAt.toISOString(),
  };
}

/** An export just queued (or joined): never READY, so it has no link yet. */
export function presentQueuedExport(pdfExport: PdfExport) {
  return presentExport({ ...pdfExport, downloadUrl: null, expired: false });
}
