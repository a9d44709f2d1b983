import type { Readable } from 'node:stream';

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../../db/database-types.ts';
import { AppError, NotFoundError } from '../../errors/app-error.ts';
import type { EmailSender } from '../../integrations/email/email.ts';
import { pdfReadyEmail } from '../../integrations/email/email-templates.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import { portfolioContentSchema } from '../portfolios/portfolio-content.ts';
import {
  EXPORT_BUCKET,
  EXPORT_LINK_LIFETIME_SECONDS,
  exportFileName,
  type PdfExport,
} from './export.types.ts';
import { createExportProgressRecorder } from './export-progress-recorder.ts';
import {
  type ExportFailure,
  markReady,
  markRendering,
  markUploading,
  raiseProgress,
  recordFailure,
  recordStoredFile,
  type StoredExportFile,
} from './export-status.repository.ts';
import { type ExportSource, findExportSource } from './exports.repository.ts';
import { renderPortfolioPdf } from './pdf-renderer.ts';

/** One attempt of the `export.render` job, as the renderer needs to know it. */
export interface ExportRun {
  /** 1 on the first try; stored on the row. */
  readonly attempt: number;
  /** Aborts the render and the upload (the worker is stopping). */
  readonly signal?: AbortSignal | undefined;
  /** Also told each stored progress value (queue monitoring). */
  readonly onProgress?: ((percent: number) => Promise<void>) | undefined;
}

export type ExportRunResult =
  { readonly status: 'done' } | { readonly status: 'skipped'; readonly reason: string };

export interface ExportRenderer {
  /**
   * Renders the export's portfolio snapshot into the `exports` bucket, mails the requester a
   * signed link and marks it READY. Safe to run again: a READY export is skipped, and a file
   * already stored is not rendered twice (only the mail and the READY mark are repeated,
   * and the mail's idempotency key keeps it single). Throws on failure, leaving the row for
   * `recordFailure`.
   */
  renderExport(exportId: string, run: ExportRun): Promise<ExportRunResult>;
  /**
   * Records a failed attempt. `final`: FAILED with the reason; otherwise QUEUED again, waiting
   * for the queue's retry.
   */
  recordFailure(
    exportId: string,
    failure: ExportFailure & { readonly final: boolean; readonly attempt: number },
  ): Promise<void>;
}

export interface ExportRendererOptions {
  readonly db: Kysely<Database>;
  readonly storage: Pick<Storage, 'putObject' | 'headObject' | 'createSignedUrl'>;
  readonly email: EmailSender;
  /** Milliseconds since the epoch. @defaultValue `Date.now` */
  readonly now?: () => number;
  /** Least time between two progress writes to PostgreSQL. @defaultValue 250 */
  readonly progressIntervalMs?: number;
  readonly logger?: Pick<Logger, 'warn' | 'info'>;
}

/** Layout fills 0–90 %; the rest is the upload finishing and the mail. */
const RENDER_SHARE_PERCENT = 90;
const UPLOADING_PERCENT = 95;

/** `{portfolioId}/{exportId}/{slug}.pdf`: the link's last segment is a sensible file name. */
export function exportStorageKey(pdfExport: PdfExport, slug: string): string {
  return `${pdfExport.portfolioId}/${pdfExport.id}/${exportFileName(slug)}`;
}

/** Whole seconds, so the link's `expires` and the stored expiry are the same instant. */
function linkExpiry(nowMs: number): Date {
  return new Date((Math.floor(nowMs / 1000) + EXPORT_LINK_LIFETIME_SECONDS) * 1000);
}

export function createExportRenderer(options: ExportRendererOptions): ExportRenderer {
  const { db, storage, email, logger } = options;
  const now = options.now ?? Date.now;

  /** The file an earlier attempt stored and recorded, if it is still there. */
  async function findStoredFile(pdfExport: PdfExport): Promise<StoredExportFile | undefined> {
    const { storageKey, pageCount, byteSize, expiresAt } = pdfExport;
    if (storageKey === null || pageCount === null || byteSize === null || expiresAt === null) {
      return undefined;
    }
    const head = await storage.headObject(EXPORT_BUCKET, storageKey);
    return head === undefined ? undefined : { storageKey, pageCount, byteSize, expiresAt };
  }

  async function renderAndStore(source: ExportSource, run: ExportRun): Promise<StoredExportFile> {
    const parsed = portfolioContentSchema.safeParse(source.content);
    if (!parsed.success) {
      throw new AppError('internal', 'The portfolio snapshot is not valid content.', {
        cause: parsed.error,
      });
    }
    const id = source.export.id;
    const progress = createExportProgressRecorder({
      intervalMs: options.progressIntervalMs,
      write: async (percent) => {
        await raiseProgress(db, id, percent);
        await run.onProgress?.(percent);
      },
      onWriteError: (err) => logger?.warn({ err, exportId: id }, 'export progress not stored'),
    });
    let pageCount: number | undefined;
    let uploading: Promise<void> | undefined;
    let current: Readable | undefined;
    const stopRender = () => current?.destroy(new Error('the export run was aborted'));
    run.signal?.addEventListener('abort', stopRender, { once: true });

    const storageKey = exportStorageKey(source.export, source.slug);
    try {
      const stored = await storage.putObject({
        bucket: EXPORT_BUCKET,
        key: storageKey,
        contentType: 'application/pdf',
        // Storage retries call this again: each attempt gets a fresh render of its own.
        body: () => {
          current = renderPortfolioPdf({
            title: source.title,
            content: parsed.data,
            palette: source.palette,
            format: source.export.pageSize,
            onProgress: (percent) => {
              progress.report((percent * RENDER_SHARE_PERCENT) / 100);
            },
            onLaidOut: (summary) => {
              pageCount = summary.pageCount;
              if (uploading === undefined) {
                uploading = progress.settle().then(() => markUploading(db, id, UPLOADING_PERCENT));
                // Awaited after the upload; until then a rejection must not count as unhandled.
                void uploading.catch(() => undefined);
              }
            },
          });
          if (run.signal?.aborted === true) {
            stopRender();
          }
          return current;
        },
      });
      await uploading;
      if (pageCount === undefined) {
        throw new Error('the PDF was stored but its layout never finished');
      }
      return { storageKey, pageCount, byteSize: stored.size, expiresAt: linkExpiry(now()) };
    } finally {
      run.signal?.removeEventListener('abort', stopRender);
      await progress.settle();
    }
  }

  async function mailLink(source: ExportSource, file: StoredExportFile): Promise<void> {
    const to = source.recipient.email;
    const secondsLeft = Math.ceil((file.expiresAt.getTime() - now()) / 1000);
    if (to === null || secondsLeft < 1) {
      // No address (or the link is already over): the API still answers with the status.
      logger?.info({ exportId: source.export.id }, 'export ready; no mail sent');
      return;
    }
    const downloadUrl = await storage.createSignedUrl(
      EXPORT_BUCKET,
      file.storageKey,
      Math.min(secondsLeft, EXPORT_LINK_LIFETIME_SECONDS),
    );
    const content = pdfReadyEmail({
      recipientName: source.recipient.name ?? undefined,
      portfolioTitle: source.title,
      downloadUrl,
      expiresAt: file.expiresAt,
    });
    await email.send({ to, ...content, idempotencyKey: `export-ready:${source.export.id}` });
  }

  return {
    async renderExport(exportId, run) {
      const source = await findExportSource(db, exportId);
      if (source === undefined) {
        return { status: 'skipped', reason: 'the export no longer exists' };
      }
      const pdfExport = source.export;
      if (pdfExport.status === 'READY' || pdfExport.status === 'FAILED') {
        return { status: 'skipped', reason: `the export is ${pdfExport.status} already` };
      }
      if (source.portfolioDeleted) {
        throw new NotFoundError('portfolio.not_found', 'The portfolio was deleted.');
      }

      let file = await findStoredFile(pdfExport);
      if (file === undefined) {
        if (!(await markRendering(db, exportId, run.attempt))) {
          return { status: 'skipped', reason: 'the export finished meanwhile' };
        }
        file = await renderAndStore(source, run);
        await recordStoredFile(db, exportId, file);
      }
      await mailLink(source, file);
      await markReady(db, exportId);
      return { status: 'done' };
    },

    async recordFailure(exportId, failure) {
      await recordFailure(db, exportId, failure);
    },
  };
}
