import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { EmailSender } from '../../integrations/email/email.ts';
import { pdfReadyEmail } from '../../integrations/email/email-templates.ts';
import type { Storage } from '../../integrations/storage/storage.ts';
import { EXPORT_BUCKET, EXPORT_LINK_LIFETIME_SECONDS } from './export.types.ts';
import type { ReadyExport } from './export-status.repository.ts';
import { findReadyNotice } from './exports.repository.ts';

/**
 * `data` of an `export.ready` webhook: what the export is, never its signed link. A receiver
 * fetches a fresh link with `GET /api/exports/{exportId}` (a link in a webhook would be
 * logged by every proxy and receiver on the way, and outlive its purpose).
 */
export function exportReadyData(exportId: string, ready: ReadyExport) {
  return {
    event: 'export.ready',
    exportId,
    portfolioId: ready.portfolioId,
    pageSize: ready.pageSize,
    pageCount: ready.pageCount,
    byteSize: ready.byteSize,
    expiresAt: ready.expiresAt?.toISOString() ?? null,
    timestamp: (ready.finishedAt ?? new Date()).toISOString(),
  };
}

/** The ready mail's job id: BullMQ refuses `:` in custom ids, so this differs from the key. */
export function readyMailJobId(exportId: string): string {
  return `export-ready-${exportId}`;
}

/** One key per export: every attempt and rerun of the mail is the same message. */
export function readyMailIdempotencyKey(exportId: string): string {
  return `export-ready:${exportId}`;
}

export type ReadyMailResult =
  { readonly status: 'sent' } | { readonly status: 'skipped'; readonly reason: string };

export interface ExportReadyMailer {
  /**
   * Mails the requester a link to the stored PDF, signed until the export expires (R-JOB-7).
   * Skipped when the export is not READY, has expired, or its requester has no address.
   * Never changes the export: a mail that cannot be sent leaves it READY.
   */
  mailReady(exportId: string): Promise<ReadyMailResult>;
}

export interface ExportReadyMailerDeps {
  readonly db: Kysely<Database>;
  readonly storage: Pick<Storage, 'createSignedUrl'>;
  readonly email: EmailSender;
  /** Milliseconds since the epoch. @defaultValue `Date.now` */
  readonly now?: () => number;
}

export function createExportReadyMailer(deps: ExportReadyMailerDeps): ExportReadyMailer {
  const now = deps.now ?? Date.now;
  return {
    async mailReady(exportId) {
      const notice = await findReadyNotice(deps.db, exportId);
      if (notice === undefined) {
        return { status: 'skipped', reason: 'no such export' };
      }
      if (notice.status !== 'READY' || notice.storageKey === null || notice.expiresAt === null) {
        return { status: 'skipped', reason: `the export is ${notice.status}, not READY` };
      }
      if (notice.recipientEmail === null) {
        return { status: 'skipped', reason: 'the requester has no email address' };
      }
      // A mail retried late must not promise a link beyond the export's own expiry.
      const secondsLeft = Math.ceil((notice.expiresAt.getTime() - now()) / 1000);
      if (secondsLeft < 1) {
        return { status: 'skipped', reason: 'the export has expired' };
      }
      const downloadUrl = await deps.storage.createSignedUrl(
        EXPORT_BUCKET,
        notice.storageKey,
        Math.min(secondsLeft, EXPORT_LINK_LIFETIME_SECONDS),
      );
      const content = pdfReadyEmail({
        recipientName: notice.recipientName ?? undefined,
        portfolioTitle: notice.portfolioTitle,
        downloadUrl,
        expiresAt: notice.expiresAt,
      });
      await deps.email.send({
        to: notice.recipientEmail,
        ...content,
        idempotencyKey: readyMailIdempotencyKey(exportId),
      });
      return { status: 'sent' };
    },
  };
}
