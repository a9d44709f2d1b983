import { AppError } from '../../errors/app-error.ts';
import {
  IntegrationFailure,
  type IntegrationOutcomeCode,
  IntegrationUnavailableError,
  publicIntegrationMessage,
} from '../../integrations/resilience/integration-errors.ts';

/** What an export row may show its requester about a failed attempt. */
export interface ExportFailureDescription {
  readonly code: string;
  readonly message: string;
}

/** Longest message kept (the column allows 1000 characters). */
const MAX_FAILURE_MESSAGE_LENGTH = 500;

const INTERNAL_FAILURE: ExportFailureDescription = {
  code: 'export.internal',
  message: 'An unexpected error interrupted the export.',
};

function clip(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  if (oneLine === '') {
    return INTERNAL_FAILURE.message;
  }
  return oneLine.length > MAX_FAILURE_MESSAGE_LENGTH
    ? `${oneLine.slice(0, MAX_FAILURE_MESSAGE_LENGTH - 1)}…`
    : oneLine;
}

/**
 * The stable code and public message stored for a failed attempt; the API shows both. Only
 * our own errors keep their message, which is written for the requester. A vendor failure
 * keeps a code naming the integration, but its message (S3 or SMTP replies, hosts, ports)
 * stays in the log; anything else (a PostgreSQL error, a bug) becomes `export.internal`.
 */
export function describeExportFailure(err: unknown): ExportFailureDescription {
  if (err instanceof IntegrationUnavailableError || err instanceof IntegrationFailure) {
    const code: IntegrationOutcomeCode =
      err instanceof IntegrationFailure && err.kind === 'rejected'
        ? `${err.integration}.rejected`
        : `${err.integration}.unavailable`;
    return { code, message: publicIntegrationMessage(code) ?? INTERNAL_FAILURE.message };
  }
  if (err instanceof AppError) {
    return { code: err.code, message: clip(err.message) };
  }
  return INTERNAL_FAILURE;
}
