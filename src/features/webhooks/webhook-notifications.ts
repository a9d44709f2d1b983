import type { Kysely } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { EmailSender } from '../../integrations/email/email.ts';
import {
  operatorWebhookFailingEmail,
  webhookEndpointDisabledEmail,
} from '../../integrations/email/email-templates.ts';
import {
  findDisabledEndpointNotice,
  findOperatorTarget,
} from './webhook-target-health.repository.ts';

// Job ids and idempotency keys name the one occasion: an endpoint disabled at a given time,
// an operator streak alerted at a given time. BullMQ refuses `:` in ids, so they differ.

export function disabledMailJobId(endpointId: string, disabledAt: Date): string {
  return `webhook-disabled-${endpointId}-${String(disabledAt.getTime())}`;
}

export function operatorAlertJobId(alertedAt: Date): string {
  return `webhook-operator-${String(alertedAt.getTime())}`;
}

export type AlertMailResult =
  { readonly status: 'sent' } | { readonly status: 'skipped'; readonly reason: string };

export interface WebhookAlertMailer {
  /** Mails the owner that the endpoint was disabled at `disabledAt`; skipped if it was since re-enabled. */
  mailEndpointDisabled(endpointId: string, disabledAt: Date): Promise<AlertMailResult>;
  /** Mails the operator that the global endpoint has been failing (streak alerted at `alertedAt`). */
  mailOperator(alertedAt: Date): Promise<AlertMailResult>;
}

export interface WebhookAlertMailerDeps {
  readonly db: Kysely<Database>;
  readonly email: EmailSender;
  /** The API's public URL (`APP_URL`): the owner's mail links to the endpoint there. */
  readonly publicUrl: string;
  /** The global endpoint (DEPLOYMENT_WEBHOOK_URL), if configured. */
  readonly operatorUrl: string | undefined;
  /** OPERATOR_EMAIL, if configured. */
  readonly operatorEmail: string | undefined;
}

export function createWebhookAlertMailer(deps: WebhookAlertMailerDeps): WebhookAlertMailer {
  return {
    async mailEndpointDisabled(endpointId, disabledAt) {
      const notice = await findDisabledEndpointNotice(deps.db, endpointId);
      if (notice === undefined) {
        return { status: 'skipped', reason: 'the endpoint was deleted' };
      }
      if (notice.enabled || notice.disabledAt?.getTime() !== disabledAt.getTime()) {
        return { status: 'skipped', reason: 'the endpoint was turned on again since' };
      }
      if (notice.ownerEmail === null) {
        return { status: 'skipped', reason: 'the owner has no email address' };
      }
      const content = webhookEndpointDisabledEmail({
        recipientName: notice.ownerName ?? undefined,
        endpointUrl: notice.url,
        reason: notice.disabledReason ?? 'repeated failures',
        endpointLink: new URL(`/api/webhook-endpoints/${endpointId}`, deps.publicUrl).href,
      });
      await deps.email.send({
        to: notice.ownerEmail,
        ...content,
        idempotencyKey: `webhook-disabled:${endpointId}:${String(disabledAt.getTime())}`,
      });
      return { status: 'sent' };
    },

    async mailOperator(alertedAt) {
      if (deps.operatorUrl === undefined || deps.operatorEmail === undefined) {
        return { status: 'skipped', reason: 'no global endpoint or operator address configured' };
      }
      const target = await findOperatorTarget(deps.db, deps.operatorUrl);
      const failingSince = target?.failingSince ?? null;
      if (failingSince === null || target?.alertedAt?.getTime() !== alertedAt.getTime()) {
        return { status: 'skipped', reason: 'the global endpoint answered again since' };
      }
      const content = operatorWebhookFailingEmail({
        endpointUrl: deps.operatorUrl,
        failingSince,
      });
      await deps.email.send({
        to: deps.operatorEmail,
        ...content,
        idempotencyKey: `webhook-operator:${String(alertedAt.getTime())}`,
      });
      return { status: 'sent' };
    },
  };
}
