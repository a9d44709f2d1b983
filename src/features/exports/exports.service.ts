import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import { AppError, NotFoundError } from '../../errors/app-error.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import type { EnqueueInTransaction } from '../../jobs/outbox/enqueue-in-transaction.ts';
import { storedPortfolioContentSchema } from '../portfolios/portfolio-content.ts';
import {
  EXPORT_BUCKET,
  EXPORT_LINK_LIFETIME_SECONDS,
  EXPORT_STALE_AFTER_SECONDS,
  exportFileName,
  type PdfExport,
  type PdfExportView,
  type PortfolioPdf,
  type RequestExportInput,
} from './export.types.ts';
import { abandonStaleExports } from './export-status.repository.ts';
import {
  findInFlightExport,
  findOwnedExport,
  findPortfolioToRender,
  insertExport,
  lockExportablePortfolio,
} from './exports.repository.ts';
import { renderPortfolioPdf, shouldRenderInRequest } from './pdf-renderer.ts';

type Db = Kysely<Database>;

export interface ExportRequestOutcome {
  readonly export: PdfExport;
  /** False when an unfinished export of the same version and page size was returned. */
  readonly created: boolean;
}

export interface ExportService {
  /**
   * Queues a PDF export of the portfolio's current version (R-JOB-6): the export row and its
   * `export.render` outbox job are written in one transaction. While an export of the same
   * version and page size is still QUEUED, RENDERING or UPLOADING, that one is returned,
   * unless it has not moved for EXPORT_STALE_AFTER_SECONDS: then it is marked FAILED
   * (`export.abandoned`) and a new one is queued.
   */
  requestExport(
    ownerId: string,
    portfolioId: string,
    input: RequestExportInput,
  ): Promise<ExportRequestOutcome>;
  /**
   * The PDF at once when the estimated render fits the request budget (nothing is recorded),
   * otherwise a queued export as `requestExport` gives it.
   */
  getPortfolioPdf(
    ownerId: string,
    portfolioId: string,
    input: RequestExportInput,
  ): Promise<PortfolioPdf>;
  /** One of the user's exports, with a fresh signed link while it is READY and unexpired. */
  getExport(ownerId: string, exportId: string): Promise<PdfExportView>;
}

export interface ExportServiceDeps {
  readonly db: Db;
  readonly enqueueInTransaction: EnqueueInTransaction;
  readonly storage: Pick<Storage, 'createSignedUrl'>;
  /** Milliseconds since the epoch. @defaultValue `Date.now` */
  readonly now?: () => number;
}

// The same answer for "missing" and "someone else's" (R-PLAT-1).
const portfolioNotFound = () => new NotFoundError('portfolio.not_found', 'No such portfolio.');
const exportNotFound = () => new NotFoundError('export.not_found', 'No such export.');

export function createExportService(deps: ExportServiceDeps): ExportService {
  const { db, enqueueInTransaction, storage } = deps;
  const now = deps.now ?? Date.now;

  async function linkFor(
    pdfExport: PdfExport,
  ): Promise<Pick<PdfExportView, 'downloadUrl' | 'expired'>> {
    if (
      pdfExport.status !== 'READY' ||
      pdfExport.storageKey === null ||
      pdfExport.expiresAt === null
    ) {
      return { downloadUrl: null, expired: false };
    }
    // The link ends when the export does, however late it is asked for.
    const secondsLeft = Math.ceil((pdfExport.expiresAt.getTime() - now()) / 1000);
    if (secondsLeft < 1) {
      return { downloadUrl: null, expired: true };
    }
    const downloadUrl = await storage.createSignedUrl(
      EXPORT_BUCKET,
      pdfExport.storageKey,
      Math.min(secondsLeft, EXPORT_LINK_LIFETIME_SECONDS),
    );
    return { downloadUrl, expired: false };
  }

  const service: ExportService = {
    requestExport(ownerId, portfolioId, input) {
      const pageSize = input.pageSize ?? 'A4';
      return withTransaction(db, async (trx) => {
        // The lock queues concurrent requests for one portfolio: the second sees the first.
        const portfolio = await lockExportablePortfolio(trx, ownerId, portfolioId);
        if (portfolio === undefined) {
          throw portfolioNotFound();
        }
        const wanted = {
          portfolioId: portfolio.id,
          requestedBy: ownerId,
          portfolioVersion: portfolio.version,
          pageSize,
        };
        // An export that stopped moving will never finish: give it up rather than join it.
        await abandonStaleExports(trx, wanted, EXPORT_STALE_AFTER_SECONDS);
        const inFlight = await findInFlightExport(trx, wanted);
        if (inFlight !== undefined) {
          return { export: inFlight, created: false };
        }
        const created = await insertExport(trx, wanted);
        await enqueueInTransaction(trx, {
          jobName: 'export.render',
          jobId: created.id,
          payload: { exportId: created.id },
        });
        return { export: created, created: true };
      });
    },

    async getPortfolioPdf(ownerId, portfolioId, input) {
      const portfolio = await findPortfolioToRender(db, ownerId, portfolioId);
      if (portfolio === undefined) {
        throw portfolioNotFound();
      }
      const parsed = storedPortfolioContentSchema.safeParse(portfolio.content);
      if (!parsed.success) {
        throw new AppError('internal', 'The stored portfolio is not valid content.', {
          cause: parsed.error,
        });
      }
      if (!shouldRenderInRequest(parsed.data)) {
        const outcome = await service.requestExport(ownerId, portfolioId, input);
        return { kind: 'queued', export: outcome.export };
      }
      const body = renderPortfolioPdf({
        title: portfolio.title,
        content: parsed.data,
        palette: portfolio.palette,
        format: input.pageSize ?? 'A4',
      });
      return { kind: 'inline', fileName: exportFileName(portfolio.slug), body };
    },

    async getExport(ownerId, exportId) {
      const pdfExport = await findOwnedExport(db, ownerId, exportId);
      if (pdfExport === undefined) {
        throw exportNotFound();
      }
      return { ...pdfExport, ...(await linkFor(pdfExport)) };
    },
  };
  return service;
}
