import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

import type { Database } from '../db/database-types.ts';
import type { WebhookDeliveryService } from '../features/webhooks/webhook-delivery.service.ts';
import type { JobProducer } from './create-job-producer.ts';
import { hasUnsentOutboxJob } from './outbox/job-outbox.repository.ts';

export interface WebhookDeliverySweepOptions {
  readonly db: Kysely<Database>;
  readonly deliveries: Pick<WebhookDeliveryService, 'recoverLostDeliveries'>;
  readonly producer: Pick<JobProducer, 'findJobState'>;
  /** How often to look; a delivery due longer than this without its job is queued again. */
  readonly intervalMs: number;
  readonly logger: Logger;
}

export interface WebhookDeliverySweep {
  /** Sweeps now, or joins the sweep in progress. */
  sweep(): Promise<void>;
  /** Stops the timer and waits for the sweep in progress. */
  close(): Promise<void>;
}

/** States in which a job will still run; a finished or unknown one will not. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * The backstop for webhook jobs lost in Redis (R-SEC-3): every interval, each pending delivery
 * overdue by more than an interval whose current job is neither waiting in the outbox nor
 * alive in its queue gets a new run. A Redis that lost its data thereby loses no delivery.
 */
export function startWebhookDeliverySweep(
  options: WebhookDeliverySweepOptions,
): WebhookDeliverySweep {
  const { db, deliveries, producer, intervalMs, logger } = options;
  let running: Promise<void> | undefined;
  let closed = false;

  async function isQueued(jobId: string): Promise<boolean> {
    if (await hasUnsentOutboxJob(db, 'webhook.deliver', jobId)) {
      return true;
    }
    return LIVE_STATES.has(await producer.findJobState('webhook.deliver', jobId));
  }

  async function sweepOnce(): Promise<void> {
    try {
      const requeued = await deliveries.recoverLostDeliveries({ overdueMs: intervalMs, isQueued });
      if (requeued > 0) {
        logger.warn({ requeued }, 'webhook deliveries without a job were queued again');
      }
    } catch (err) {
      // Redis or PostgreSQL is away; the next interval tries again.
      logger.warn({ err }, 'webhook delivery sweep failed');
    }
  }

  function sweep(): Promise<void> {
    if (closed) {
      return Promise.resolve();
    }
    running ??= sweepOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(() => {
    void sweep();
  }, intervalMs);

  return {
    sweep,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
