import { createHash } from 'node:crypto';

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import type { Config } from '../config/env.ts';
import type { Database } from '../db/database-types.ts';
import type { CursorCodec } from '../db/query/cursor-codec.ts';
import { createAttemptSender } from '../features/webhooks/webhook-attempt.ts';
import {
  createWebhookDeliveryService,
  type WebhookDeliveryService,
} from '../features/webhooks/webhook-delivery.service.ts';
import type { DeliverySchedule } from '../features/webhooks/webhook-delivery-schedule.ts';
import {
  createWebhookEndpointService,
  type WebhookEndpointService,
} from '../features/webhooks/webhook-endpoints.service.ts';
import type { BreakerSnapshot } from '../integrations/resilience/circuit-breaker.ts';
import type { AttemptObserver } from '../integrations/resilience/resilient-call.ts';
import { createHttpWebhookSender } from '../integrations/webhooks/http-webhook-sender.ts';
import { createSsrfGuard } from '../integrations/webhooks/ssrf-guard.ts';
import { createWebhookCalls } from '../integrations/webhooks/webhook-calls.ts';
import { enqueueInTransaction } from '../jobs/outbox/enqueue-in-transaction.ts';
import { registerTargetBreakerGauge } from '../metrics/integration-metrics.ts';
import { createWebhookMetrics } from '../metrics/webhook-metrics.ts';
import type { Shutdown } from './shutdown.ts';

export interface Webhooks {
  readonly endpoints: WebhookEndpointService;
  readonly deliveries: WebhookDeliveryService;
  /** One snapshot per delivery target, named `webhooks:<digest of the target>`. */
  readBreakers(): readonly BreakerSnapshot[];
}

/**
 * Endpoint management and signed delivery, with one breaker per delivery target. Every
 * attempt is a single request: webhooks retry on their own schedule (R-SEC-3), each attempt
 * a job of its own, instead of the in-call retries other integrations use (R-INT-8).
 */
export function createWebhooks(deps: {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly cursorCodec: CursorCodec;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly observer: AttemptObserver;
  readonly shutdown: Shutdown;
}): Webhooks {
  const { config, db } = deps;
  const logger = deps.logger.child({ component: 'webhooks' });
  const settings = config.integrations.webhooks;
  const policy = config.integrations.resilience.webhooks;
  const customerTargets = createSsrfGuard({ allowLoopback: settings.allowPrivateTargets });
  // The operator's own endpoint may live on a private network; it is still never link-local.
  const operatorTargets = createSsrfGuard({ allowLoopback: true });
  const calls = createWebhookCalls(
    { policy: { ...policy, retry: { ...policy.retry, retries: 0 } } },
    { logger, observer: deps.observer },
  );
  registerTargetBreakerGauge(deps.metrics, () => calls.snapshots());
  deps.shutdown.register('webhooks', async () => {
    calls.shutdown();
    await Promise.all([customerTargets.close(), operatorTargets.close()]);
  });

  const attempts = createAttemptSender({
    sender: createHttpWebhookSender({
      customerDispatcher: customerTargets.dispatcher,
      operatorDispatcher: operatorTargets.dispatcher,
    }),
    callFor: calls.callFor,
    timeoutMs: policy.timeoutMs,
    logger,
  });
  // An open breaker lets a trial call through after its reset: come back then.
  const schedule: DeliverySchedule = {
    retryScheduleMs: settings.retryScheduleMs,
    deferMs: policy.breaker.resetAfterMs,
  };

  return {
    endpoints: createWebhookEndpointService({
      db,
      cursorCodec: deps.cursorCodec,
      checkTargetUrl: customerTargets.checkUrl,
      attempts,
      enqueueInTransaction,
      schedule,
      logger,
    }),
    deliveries: createWebhookDeliveryService({
      db,
      attempts,
      deploymentEndpoint: settings.deploymentEndpoint,
      enqueueInTransaction,
      schedule,
      disableAfterMs: settings.disableAfterMs,
      alertOperator: settings.operatorEmail !== undefined,
      observer: createWebhookMetrics(deps.metrics),
      logger,
    }),
    // Target keys hold customers' URLs (which may carry tokens): name breakers by a digest.
    readBreakers: () =>
      calls.snapshots().map(({ target, ...snapshot }) => ({
        ...snapshot,
        name: `webhooks:${createHash('sha256').update(target).digest('hex').slice(0, 12)}`,
      })),
  };
}
