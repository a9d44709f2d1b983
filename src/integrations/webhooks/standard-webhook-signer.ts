import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks shows symmetric secrets as `whsec_` + base64 of the key bytes. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

export interface WebhookSignatureInput {
  readonly secret: string;
  /** The delivery id: stable across retries, so receivers can drop duplicates. */
  readonly webhookId: string;
  /** When this attempt is sent; receivers reject stale timestamps (replay protection). */
  readonly sentAt: Date;
  /** The exact bytes sent as the body. */
  readonly body: string;
}

/** The three Standard Webhooks headers, by their lower-case names. */
export interface WebhookSignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** A new random endpoint secret (32 bytes, inside the spec's 24–64 byte range). */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The HMAC key inside a `whsec_` secret. */
function keyOf(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new TypeError(`a webhook secret starts with ${WEBHOOK_SECRET_PREFIX}`);
  }
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  if (key.length === 0) {
    throw new TypeError('the webhook secret holds no key bytes');
  }
  return key;
}

/**
 * Signs one attempt the Standard Webhooks way: `v1,` + base64 HMAC-SHA256 over
 * `<id>.<timestamp>.<body>`, keyed with the decoded secret.
 */
export function signWebhook(input: WebhookSignatureInput): WebhookSignatureHeaders {
  // The signed content is dot-separated, so a dot in the id would make it ambiguous.
  if (input.webhookId.includes('.')) {
    throw new TypeError('a webhook id must not contain "."');
  }
  const timestamp = String(Math.floor(input.sentAt.getTime() / 1000));
  const signature = createHmac('sha256', keyOf(input.secret))
    .update(`${input.webhookId}.${timestamp}.${input.body}`)
    .digest('base64');
  return {
    'webhook-id': input.webhookId,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}
