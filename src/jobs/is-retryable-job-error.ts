import { AppError, UnavailableError } from '../errors/app-error.ts';
import { IntegrationFailure } from '../integrations/resilience/integration-errors.ts';
import { PermanentJobError } from './permanent-job-error.ts';

/**
 * Whether a failed run is worth another attempt: vendor and network failures and unavailable
 * dependencies are; caller faults (invalid input, not found, conflict) and vendor rejections
 * (4xx) and PermanentJobError are not, since the same input fails the same way.
 */
export function isRetryableJobError(err: unknown): boolean {
  if (err instanceof IntegrationFailure) {
    return err.kind === 'retryable';
  }
  if (err instanceof UnavailableError) {
    return true;
  }
  return !(err instanceof AppError || err instanceof PermanentJobError);
}
