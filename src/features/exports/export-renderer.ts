import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../../db/database-types.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import { AppError, NotFoundError } from '../../errors/app-error.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import type { PortfolioContent } from '../portfolios/portfolio-content.ts';
import { storedPortfolioContentSchema } from '../portfolios/portfolio-content.ts';
import type { WebhookDeliveryService } from '../webhooks/webhook-delivery.service.ts';
import {
  EXPORT_BUCKET,
  EXPORT_LINK_LIFETIME_SECONDS,
  exportFileName,
  type PdfExport,
} from './export.types.ts';
import { exportReadyData, readyMailJobId } from './export-notifications.ts';
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
import { renderPortfolioPdf, type RenderPortfolioPdfOptions } from './pdf-renderer.ts';

/** One attempt of the `export.render` job, as the renderer needs to know it. */
export interface ExportRun {
  /** 1 on the first try; stored on the row. */
  readonly attempt: number;
  /**
   * Stops the render (the worker is stopping). An upload already under way finishes or
   * runs into the storage timeout: the file is on disk, so there is nothing to interrupt.
   */
  readonly signal?: AbortSignal | undefined;
  /** Also told each stored progress value (queue monitoring). */
  readonly onProgress?: ((percent: number) => Promise<void>) | undefined;
}

export type ExportRunResult =
  { readonly status: 'done' } | { readonly status: 'skipped'; readonly reason: string };

export interface ExportRenderer {
  /**
   * Renders the export's portfolio snapshot into the `exports` bucket and marks it READY,
   * together with the `export.notify_ready` job that mails the link. Safe to run again: a
   * READY export is skipped, and a file already stored is not rendered twice. Throws on
   * failure, leaving the row for `recordFailure`.
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
  readonly storage: Pick<Storage, 'putObject' | 'headObject'>;
  /** Writes the ready mail's job in the transaction that marks the export READY. */
  readonly enqueueInTransaction: EnqueueInTransaction;
  /** Records the `export.ready` webhook deliveries (and their jobs) in that transaction too. */
  readonly webhooks: Pick<WebhookDeliveryService, 'dispatchEventInTransaction'>;
  /** Milliseconds since the epoch. @defaultValue `Date.now` */
  readonly now?: () => number;
  /** Least time between two progress writes to PostgreSQL. @defaultValue 250 */
  readonly progressIntervalMs?: number;
  /** Where a render is written before its upload. @defaultValue `os.tmpdir()` */
  readonly temporaryDirectory?: string;
  /** Lays out the PDF. @defaultValue `renderPortfolioPdf` */
  readonly renderPdf?: (options: RenderPortfolioPdfOptions) => Readable;
  readonly logger?: Pick<Logger, 'warn' | 'info'>;
}

/** Layout fills 0–90 %; the upload is the rest. */
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
  const { db, storage, logger } = options;
  const now = options.now ?? Date.now;
  const renderPdf = options.renderPdf ?? renderPortfolioPdf;

  /** The file an earlier attempt stored and recorded, if it is still there. */
  async function findStoredFile(pdfExport: PdfExport): Promise<StoredExportFile | undefined> {
    const { storageKey, pageCount, byteSize, expiresAt } = pdfExport;
    if (storageKey === null || pageCount === null || byteSize === null || expiresAt === null) {
      return undefined;
    }
    const head = await storage.headObject(EXPORT_BUCKET, storageKey);
    return head === undefined ? undefined : { storageKey, pageCount, byteSize, expiresAt };
  }

  /** Lays the PDF out into `path`, a page at a time; resolves to its page count. */
  async function renderToFile(
    source: ExportSource,
    content: PortfolioContent,
    path: string,
    run: ExportRun,
    onProgress: (percent: number) => void,
  ): Promise<number> {
    let pageCount: number | undefined;
    const pdf = renderPdf({
      title: source.title,
      content,
      palette: source.palette,
      format: source.export.pageSize,
      onProgress,
      onLaidOut: (summary) => {
        pageCount = summary.pageCount;
      },
    });
    // The signal stops the layout too: the pipeline destroys the PDF stream on abort.
    await pipeline(
      pdf,
      createWriteStream(path),
      run.signal === undefined ? {} : { signal: run.signal },
    );
    if (pageCount === undefined) {
      throw new Error('the PDF was written but its layout never finished');
    }
    return pageCount;
  }

  /**
   * Renders once into a private temporary file, then uploads that file: memory holds a page
   * or so whatever the document's length, and a storage retry re-reads the file instead of
   * rendering again.
   */
  async function renderAndStore(source: ExportSource, run: ExportRun): Promise<StoredExportFile> {
    const parsed = storedPortfolioContentSchema.safeParse(source.content);
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
    const directory = await mkdtemp(
      join(options.temporaryDirectory ?? tmpdir(), 'rolerabbit-export-'),
    );
    const path = join(directory, 'export.pdf');
    try {
      const pageCount = await renderToFile(source, parsed.data, path, run, (percent) => {
        progress.report((percent * RENDER_SHARE_PERCENT) / 100);
      });
      const { size } = await stat(path);
      await progress.settle();
      await markUploading(db, id, UPLOADING_PERCENT);
      const storageKey = exportStorageKey(source.export, source.slug);
      await storage.putObject({
        bucket: EXPORT_BUCKET,
        key: storageKey,
        contentType: 'application/pdf',
        contentLength: size,
        body: () => createReadStream(path),
      });
      return { storageKey, pageCount, byteSize: size, expiresAt: linkExpiry(now()) };
    } finally {
      await progress.settle();
      await rm(directory, { recursive: true, force: true });
    }
  }

  /**
   * READY, the ready mail's job and the `export.ready` webhooks commit together: no mail or
   * webhook for an export that is not READY, and none lost for one that is.
   */
  async function finishReady(exportId: string): Promise<boolean> {
    return withTransaction(db, async (trx) => {
      const ready = await markReady(trx, exportId);
      if (ready === undefined) {
        return false;
      }
      await options.enqueueInTransaction(trx, {
        jobName: 'export.notify_ready',
        jobId: readyMailJobId(exportId),
        payload: { exportId },
      });
      await options.webhooks.dispatchEventInTransaction(trx, {
        ownerId: ready.requestedBy,
        event: 'export.ready',
        data: exportReadyData(exportId, ready),
      });
      return true;
    });
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
      if (!(await finishReady(exportId))) {
        return { status: 'skipped', reason: 'the export finished meanwhile' };
      }
      logger?.info({ exportId }, 'export ready');
      return { status: 'done' };
    },

    async recordFailure(exportId, failure) {
      await recordFailure(db, exportId, failure);
    },
  };
}
