import type { WebhookDeliveryService } from '../features/webhooks/webhook-delivery.service.ts';
import { createDeliverWebhookJob } from './handlers/deliver-webhook.job.ts';
import type { JobHandlers } from './job-handler.ts';

export interface JobHandlerDeps {
  readonly webhookDeliveries: Pick<WebhookDeliveryService, 'deliver'>;
}

/** The handler of every job in JOB_CATALOG; the type refuses a catalog job left out. */
export function createJobHandlers(deps: JobHandlerDeps): JobHandlers {
  return {
    'webhook.deliver': createDeliverWebhookJob({
      deliver: (deliveryId) => deps.webhookDeliveries.deliver(deliveryId),
    }),
  };
}
