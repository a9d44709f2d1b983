import type { ExportReadyMailer } from '../../features/exports/export-notifications.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';

export type NotifyExportReadyPayload = JobPayloadOf<DefaultJobCatalog, 'export.notify_ready'>;

export interface NotifyExportReadyJobDeps {
  readonly readyMailer: Pick<ExportReadyMailer, 'mailReady'>;
}

/**
 * `export.notify_ready` (R-JOB-7): mails the requester the signed link once. Email failures
 * are thrown as they are, so the queue retries the retryable ones; the export stays READY
 * either way.
 */
export function createNotifyExportReadyJob(
  deps: NotifyExportReadyJobDeps,
): JobHandler<NotifyExportReadyPayload> {
  return async ({ exportId }) => {
    const result = await deps.readyMailer.mailReady(exportId);
    return result.status === 'sent'
      ? { status: 'done' }
      : { status: 'skipped', reason: result.reason };
  };
}
