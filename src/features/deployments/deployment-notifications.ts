import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { EmailSender } from '../../integrations/email/email.ts';
import { deploymentFailedEmail } from '../../integrations/email/email-templates.ts';
import type { DeploymentPageLink } from './deployment-links.ts';
import { findFailureNotice } from './deployment-sources.repository.ts';
import { publicFailureMessage } from './deployments.errors.ts';

/** What both deployment events carry (R-JOB-5); the event name is the delivery's `type`. */
interface DeploymentEventBase {
  readonly deploymentId: string;
  readonly portfolioId: string;
  readonly attempt: number;
  /** When the deployment finished. */
  readonly at: Date;
}

/** `data` of a `deployment.succeeded` webhook. */
export function deploymentSucceededData(input: DeploymentEventBase & { readonly url: string }) {
  return {
    // Also in the envelope's `type`; repeated so `data` alone is the whole event (issue 4.8).
    event: 'deployment.succeeded',
    deploymentId: input.deploymentId,
    portfolioId: input.portfolioId,
    attempt: input.attempt,
    url: input.url,
    timestamp: input.at.toISOString(),
  };
}

/** `data` of a `deployment.failed` webhook: the same stable code and message as the record. */
export function deploymentFailedData(
  input: DeploymentEventBase & {
    readonly error: { readonly code: string; readonly message: string };
  },
) {
  return {
    event: 'deployment.failed',
    deploymentId: input.deploymentId,
    portfolioId: input.portfolioId,
    attempt: input.attempt,
    error: { code: input.error.code, message: input.error.message },
    timestamp: input.at.toISOString(),
  };
}

/** The failure mail's job id: BullMQ refuses `:` in custom ids, so this differs from the key. */
export function failureMailJobId(deploymentId: string): string {
  return `deployment-failed-${deploymentId}`;
}

/** One key per failed deployment: every attempt and rerun of the mail is the same message. */
export function failureMailIdempotencyKey(deploymentId: string): string {
  return `deployment-failed:${deploymentId}`;
}

export type FailureMailResult =
  { readonly status: 'sent' } | { readonly status: 'skipped'; readonly reason: string };

export interface DeploymentFailureMailer {
  /** Mails the requester why the deployment failed; skipped unless it is FAILED. */
  mailFailure(deploymentId: string): Promise<FailureMailResult>;
}

export interface DeploymentFailureMailerDeps {
  readonly db: Kysely<Database>;
  readonly email: EmailSender;
  /** The editor's page of the deployment, or the API's signed status page. */
  readonly deploymentPage: DeploymentPageLink;
}

export function createDeploymentFailureMailer(
  deps: DeploymentFailureMailerDeps,
): DeploymentFailureMailer {
  return {
    async mailFailure(deploymentId) {
      const notice = await findFailureNotice(deps.db, deploymentId);
      if (notice === undefined) {
        return { status: 'skipped', reason: 'no such deployment' };
      }
      if (notice.status !== 'FAILED') {
        return { status: 'skipped', reason: `the deployment is ${notice.status}, not FAILED` };
      }
      if (notice.recipientEmail === null) {
        return { status: 'skipped', reason: 'the requester has no email address' };
      }
      const content = deploymentFailedEmail({
        recipientName: notice.recipientName ?? undefined,
        portfolioTitle: notice.portfolioTitle,
        deploymentId,
        reason: publicFailureMessage(
          notice.errorCode ?? 'deployment.internal',
          notice.errorMessage,
        ),
        dashboardUrl: deps.deploymentPage({ portfolioId: notice.portfolioId, deploymentId }),
      });
      await deps.email.send({
        to: notice.recipientEmail,
        ...content,
        idempotencyKey: failureMailIdempotencyKey(deploymentId),
      });
      return { status: 'sent' };
    },
  };
}
