/** One webhook attempt: where it goes, what it carries, and how far its target is trusted. */
export interface OutgoingWebhook {
  readonly url: string;
  /** The delivery id, sent as `webhook-id` on every attempt. */
  readonly webhookId: string;
  /** The `whsec_` secret the attempt is signed with. */
  readonly secret: string;
  /** The exact JSON text sent and signed. */
  readonly body: string;
  /**
   * `customer`: a user-given URL; every connection passes the SSRF policy.
   * `operator`: configured by us (DEPLOYMENT_WEBHOOK_URL), so it may be private or loopback.
   */
  readonly trust: 'customer' | 'operator';
}

export interface WebhookReceipt {
  /** The 2xx status the receiver answered. */
  readonly status: number;
}

/**
 * Sends one signed webhook attempt (R-INT-3). Resolves on a 2xx answer. Anything else
 * rejects with an IntegrationFailure carrying the status when there was one: `rejected` for
 * answers that a retry cannot fix (most 4xx, 3xx, refused targets), `retryable` otherwise.
 */
export interface WebhookSender {
  send(webhook: OutgoingWebhook, signal: AbortSignal): Promise<WebhookReceipt>;
}
