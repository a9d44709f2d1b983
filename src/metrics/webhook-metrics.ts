import { Counter, type Registry } from 'prom-client';

import type {
  DisableReason,
  WebhookDeliveryObserver,
} from '../features/webhooks/webhook-delivery.service.ts';

/** What webhook delivery decided on its own: deliveries put off and endpoints turned off. */
export function createWebhookMetrics(registry: Registry): WebhookDeliveryObserver {
  const deferred = new Counter({
    name: 'rolerabbit_webhook_deliveries_deferred_total',
    help: "Webhook delivery runs put off because the target's breaker was open (no attempt used)",
    registers: [registry],
  });
  const disabled = new Counter({
    name: 'rolerabbit_webhook_endpoints_disabled_total',
    help: 'Webhook endpoints disabled by the service: gone (410) or failing (no 2xx for days)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  // Present from the first scrape, so rate() and alerts see a zero rather than no series.
  for (const reason of ['gone', 'failing'] satisfies DisableReason[]) {
    disabled.inc({ reason }, 0);
  }
  return {
    onDeferred() {
      deferred.inc();
    },
    onEndpointDisabled(reason) {
      disabled.inc({ reason });
    },
  };
}
