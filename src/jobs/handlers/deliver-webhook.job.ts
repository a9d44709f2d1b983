import type {
  DeliveryResult,
  DeliveryRun,
} from '../../features/webhooks/webhook-delivery.service.ts';
import type { DefaultJobCatalog, JobPayloadOf } from '../job-catalog.ts';
import type { JobHandler } from '../job-handler.ts';

export type DeliverWebhookPayload = JobPayloadOf<DefaultJobCatalog, 'webhook.deliver'>;

export interface DeliverWebhookJobDeps {
  /** `WebhookDeliveryService.deliver`: one recorded attempt of one run. */
  readonly deliver: (run: DeliveryRun) => Promise<DeliveryResult>;
}

/**
 * `webhook.deliver`: whatever the receiver answered, the run is done once its outcome is
 * recorded (the next attempt, if any, is a job of its own). Only a failure to record it is
 * thrown, for the queue to retry.
 */
export function createDeliverWebhookJob(
  deps: DeliverWebhookJobDeps,
): JobHandler<DeliverWebhookPayload> {
  return async (payload) => {
    const result = await deps.deliver(payload);
    switch (result.status) {
      case 'succeeded':
        return { status: 'done' };
      case 'retrying':
        return {
          status: 'done',
          reason: `attempt ${String(result.attempt)} failed; the next follows in ${String(result.nextAttemptInMs)} ms`,
        };
      case 'deferred':
        return { status: 'done', reason: `deferred: ${result.reason}` };
      case 'failed':
        return { status: 'done', reason: `delivery failed: ${result.reason}` };
      case 'skipped':
        return { status: 'skipped', reason: result.reason };
    }
  };
}
