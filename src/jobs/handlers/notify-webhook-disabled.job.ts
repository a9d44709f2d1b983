import type { WebhookAlertMailer } from '../../features/webhooks/webhook-notifications.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';

export type NotifyWebhookDisabledPayload = JobPayloadOf<
  DefaultJobCatalog,
  'webhook.notify_disabled'
>;

/** `webhook.notify_disabled`: mails the owner once; email failures are thrown for the queue. */
export function createNotifyWebhookDisabledJob(deps: {
  readonly alertMailer: Pick<WebhookAlertMailer, 'mailEndpointDisabled'>;
}): JobHandler<NotifyWebhookDisabledPayload> {
  return async ({ endpointId, disabledAt }) => {
    const result = await deps.alertMailer.mailEndpointDisabled(endpointId, new Date(disabledAt));
    return result.status === 'sent'
      ? { status: 'done' }
      : { status: 'skipped', reason: result.reason };
  };
}
