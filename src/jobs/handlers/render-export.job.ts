import { AppError, toError } from '../../errors/app-error.ts';
import type { ExportRenderer } from '../../features/exports/export-renderer.ts';
import {
  IntegrationFailure,
  IntegrationUnavailableError,
} from '../../integrations/resilience/integration-errors.ts';
import { isRetryableJobError } from '../is-retryable-job-error.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';
import { PermanentJobError } from '../permanent-job-error.ts';

export type RenderExportPayload = JobPayloadOf<DefaultJobCatalog, 'export.render'>;

export type RenderExportJobDeps = Pick<ExportRenderer, 'renderExport' | 'recordFailure'>;

/** A stable code for the export row: which dependency failed, or what was wrong. */
export function exportFailureCode(err: unknown): string {
  if (err instanceof IntegrationUnavailableError) {
    return `${err.integration}.unavailable`;
  }
  if (err instanceof IntegrationFailure) {
    return err.kind === 'rejected'
      ? `${err.integration}.rejected`
      : `${err.integration}.unavailable`;
  }
  if (err instanceof AppError) {
    return err.code;
  }
  if (err instanceof PermanentJobError) {
    return 'export.failed';
  }
  return 'export.render_failed';
}

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
      try {
        await deps.recordFailure(exportId, {
          code: exportFailureCode(err),
          message: toError(err).message,
          final,
          attempt: context.attempt,
        });
      } catch (recordErr) {
        context.logger.error({ err: recordErr }, 'could not record the export failure');
      }
      throw err;
    }
  };
}
