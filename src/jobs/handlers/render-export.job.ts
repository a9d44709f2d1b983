import { toError } from '../../errors/app-error.ts';
import type { ExportRenderer } from '../../features/exports/export-renderer.ts';
import { describeExportFailure } from '../../features/exports/exports.errors.ts';
import { isRetryableJobError } from '../is-retryable-job-error.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';

export type RenderExportPayload = JobPayloadOf<DefaultJobCatalog, 'export.render'>;

export type RenderExportJobDeps = Pick<ExportRenderer, 'renderExport' | 'recordFailure'>;

/**
 * `export.render` (R-JOB-6, R-JOB-7): one attempt at rendering, storing and mailing an export.
 * A failed attempt is written to the row before the queue sees it: FAILED only when no
 * attempt is left or another cannot help, otherwise QUEUED for the retry.
 */
export function createRenderExportJob(deps: RenderExportJobDeps): JobHandler<RenderExportPayload> {
  return async ({ exportId }, context) => {
    try {
      return await deps.renderExport(exportId, {
        attempt: context.attempt,
        signal: context.signal,
        onProgress: (percent) => context.updateProgress(percent),
      });
    } catch (err) {
      // A stopping worker hands the job back without using an attempt: nothing to record.
      if (context.signal.aborted) {
        throw err;
      }
      const final = !isRetryableJobError(err) || context.attempt >= context.maxAttempts;
      const failure = describeExportFailure(err);
      const error = toError(err);
      if (failure.message !== error.message) {
        // Withheld from the row, which the requester reads: the log keeps the real error.
        context.logger.warn({ err: error, exportId, code: failure.code }, 'export attempt failed');
      }
      try {
        await deps.recordFailure(exportId, { ...failure, final, attempt: context.attempt });
      } catch (recordErr) {
        context.logger.error({ err: recordErr }, 'could not record the export failure');
      }
      throw err;
    }
  };
}
