import { UnavailableError } from '../../errors/app-error.ts';
import type { DeliveryResult } from '../../features/webhooks/webhook-delivery.service.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';
import { PermanentJobError } from '../permanent-job-error.ts';

export type DeliverWebhookPayload = JobPayloadOf<DefaultJobCatalog, 'webhook.deliver'>;

export interface DeliverWebhookJobDeps {
  /** `WebhookDeliveryService.deliver`: sends one delivery with its own retries and breaker. */
  readonly deliver: (deliveryId: string) => Promise<DeliveryResult>;
}

/**
 * `webhook.deliver`: an open breaker ("deferred") is retried by the queue after its backoff;
 * a delivery that failed its own retries fails the job without more attempts.
 */
export function createDeliverWebhookJob(
  deps: DeliverWebhookJobDeps,
): JobHandler<DeliverWebhookPayload> {
  return async ({ deliveryId }) => {
    const result = await deps.deliver(deliveryId);
    switch (result.status) {
      case 'succeeded':
        return { status: 'done' };
      case 'skipped':
        return { status: 'skipped', reason: result.reason };
      case 'deferred':
        throw new UnavailableError(
          'dependency.unavailable',
          `webhook target unavailable, delivery deferred: ${result.reason}`,
        );
      case 'failed':
        throw new PermanentJobError(`webhook delivery failed: ${result.reason}`);
    }
  };
}
