import { AppError, UnavailableError } from '../../errors/app-error.ts';
import {
  findBlockedUntil,
  IntegrationFailure,
  type IntegrationOutcomeCode,
  integrationOutcomeCode,
  IntegrationUnavailableError,
  publicIntegrationMessage,
} from '../../integrations/resilience/integration-errors.ts';

/**
 * Why a deployment can never succeed as requested (R-JOB-2). Stored in
 * `deployments.error_code`, so these are stable: clients and support may branch on them.
 */
export const DEPLOYMENT_REJECTION_CODES = [
  'deployment.portfolio_missing',
  'deployment.not_owner',
  'deployment.version_missing',
  'deployment.content_invalid',
  'deployment.template_missing',
  'deployment.template_inactive',
  'deployment.subdomain_missing',
  'deployment.subdomain_invalid',
  'deployment.subdomain_taken',
  'deployment.domain_unverified',
  'deployment.build_failed',
  'deployment.build_mismatch',
  'dns.record_conflict',
] as const;
export type DeploymentRejectionCode = (typeof DEPLOYMENT_REJECTION_CODES)[number];

/**
 * A deployment refused for a reason no retry can fix (invalid content, a taken subdomain):
 * the run fails at once. Its code lives in the deployment row, not in an HTTP answer, which is
 * why it is not one of the API's `ErrorCode`s.
 */
export class DeploymentRejectedError extends Error {
  override readonly name: string = 'DeploymentRejectedError';
  readonly code: DeploymentRejectionCode;

  constructor(code: DeploymentRejectionCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Stored on an unfinished deployment that stopped making progress (its worker died, or its
 * job was lost from the queue) when the next deployment of the portfolio is requested.
 */
export const DEPLOYMENT_ABANDONED_CODE = 'deployment.abandoned';

/**
 * A run found, at one of its writes, that its deployment has finished or that a newer run
 * claimed it (a worker that lost its queue lock and kept going). The run stops there: it is
 * not a failed attempt, and it must record nothing more.
 */
export class DeploymentRunSupersededError extends Error {
  override readonly name: string = 'DeploymentRunSupersededError';

  constructor(deploymentId: string) {
    super(`deployment ${deploymentId} finished or was taken over by a newer run`);
  }
}

/** What a failed attempt records: a stable code, a stack-free message, and whether to retry. */
export interface DeploymentFailure {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  /**
   * Set when a vendor's rate limit stopped the attempt: the run is repeated after this epoch
   * millisecond without using up an attempt.
   */
  readonly blockedUntil?: number;
}

/** Longest message kept (the column allows 1000 characters). */
export const MAX_FAILURE_MESSAGE_LENGTH = 500;

const INTERNAL_FAILURE_MESSAGE = 'An unexpected error interrupted the deployment';

function clip(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  if (oneLine === '') {
    return INTERNAL_FAILURE_MESSAGE;
  }
  return oneLine.length > MAX_FAILURE_MESSAGE_LENGTH
    ? `${oneLine.slice(0, MAX_FAILURE_MESSAGE_LENGTH - 1)}…`
    : oneLine;
}

/**
 * Classifies an error thrown by a step the way the job queue does (`isRetryableJobError`):
 * vendor and network failures, unavailable dependencies and unknown errors may pass on a later
 * attempt; rejections, caller faults and vendor refusals (4xx) cannot. Unknown errors keep
 * their message out of the record: it may hold SQL or internals.
 */
export function describeDeploymentFailure(err: unknown): DeploymentFailure {
  if (err instanceof DeploymentRejectedError) {
    return { code: err.code, message: clip(err.message), retryable: false };
  }
  const blockedUntil = findBlockedUntil(err);
  if (blockedUntil !== undefined && err instanceof IntegrationFailure) {
    const code: IntegrationOutcomeCode = `${err.integration}.rate_limited`;
    return {
      code,
      message: publicIntegrationMessage(code) ?? INTERNAL_FAILURE_MESSAGE,
      retryable: true,
      blockedUntil,
    };
  }
  if (err instanceof IntegrationUnavailableError || err instanceof IntegrationFailure) {
    // The vendor's own text (replies, hosts, addresses) is logged by the runner, never stored.
    const code = integrationOutcomeCode(err);
    return {
      code,
      message: publicIntegrationMessage(code) ?? INTERNAL_FAILURE_MESSAGE,
      retryable: err instanceof IntegrationUnavailableError || err.kind === 'retryable',
    };
  }
  if (err instanceof UnavailableError) {
    return { code: err.code, message: clip(err.message), retryable: true };
  }
  if (err instanceof AppError) {
    return { code: err.code, message: clip(err.message), retryable: false };
  }
  return { code: 'deployment.internal', message: INTERNAL_FAILURE_MESSAGE, retryable: true };
}

/**
 * The message a user sees for a stored failure: the fixed sentence of its code for integration
 * and internal failures, whatever an older row holds, and our own message otherwise (R-SEC-7).
 */
export function publicFailureMessage(code: string, stored: string | null): string {
  if (code === 'deployment.internal') {
    return INTERNAL_FAILURE_MESSAGE;
  }
  return publicIntegrationMessage(code) ?? stored ?? INTERNAL_FAILURE_MESSAGE;
}

/** A stored failure as users see it: its code and public message, or null when none. */
export function publicFailureOf(
  code: string | null,
  stored: string | null,
): { readonly code: string; readonly message: string } | null {
  return code === null ? null : { code, message: publicFailureMessage(code, stored) };
}
