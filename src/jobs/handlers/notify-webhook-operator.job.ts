import type { WebhookAlertMailer } from '../../features/webhooks/webhook-notifications.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';

export type NotifyWebhookOperatorPayload = JobPayloadOf<
  DefaultJobCatalog,
  'webhook.notify_operator'
>;

/** `webhook.notify_operator`: mails OPERATOR_EMAIL once per failing streak of the global endpoint. */
export function createNotifyWebhookOperatorJob(deps: {
  readonly alertMailer: Pick<WebhookAlertMailer, 'mailOperator'>;
}): JobHandler<NotifyWebhookOperatorPayload> {
  return async ({ alertedAt }) => {
    const result = await deps.alertMailer.mailOperator(new Date(alertedAt));
    return result.status === 'sent'
      ? { status: 'done' }
      : { status: 'skipped', reason: result.reason };
  };
}
