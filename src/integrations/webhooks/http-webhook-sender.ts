import type { Dispatcher } from 'undici';

import {
  failureKindOfStatus,
  IntegrationFailure,
  parseRetryAfter,
} from '../resilience/integration-errors.ts';
import { SsrfRefusedError } from './ssrf-guard.ts';
import { signWebhook } from './standard-webhook-signer.ts';
import type { OutgoingWebhook, WebhookReceipt, WebhookSender } from './webhook-sender.ts';

export interface HttpWebhookSenderOptions {
  /** Used for customer URLs; must enforce the SSRF policy at connect time (`SsrfGuard`). */
  readonly customerDispatcher: Dispatcher;
  /** Used for the operator's own endpoint, which may be private. */
  readonly operatorDispatcher: Dispatcher;
  /** @defaultValue 'RoleRabbit-Webhooks/1.0' */
  readonly userAgent?: string;
  /** Clock for `webhook-timestamp`. @defaultValue () => new Date() */
  readonly now?: () => Date;
}

const ERROR_EXCERPT_BYTES = 512;
const SUCCESS_BODY_LIMIT_BYTES = 64 * 1024;

/** The start of an error answer, for the attempt log; the rest is discarded unread. */
async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= ERROR_EXCERPT_BYTES) {
        break;
      }
    }
  } catch {
    // The excerpt is best effort; the status already tells what happened.
  }
  return Buffer.concat(chunks).subarray(0, ERROR_EXCERPT_BYTES).toString('utf8').trim();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The first `code` on the error or its causes (undici wraps socket errors). */
function errorCodeOf(err: unknown): string | undefined {
  for (let current = err, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    current = current.cause;
  }
  return undefined;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

/**
 * What a failed request is called where the endpoint's owner reads it: the kind of failure,
 * never the addresses, ports or system messages, which stay in the error's `cause` for logs.
 */
function describeRequestFailure(err: unknown): string {
  const code = errorCodeOf(err) ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'the receiver refused the connection';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'the connection closed before an answer';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'the connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the receiver is unreachable';
    default:
      return TLS_CODE.test(code) ? 'the TLS handshake failed' : 'the request failed';
  }
}

/**
 * Posts webhooks with undici's dispatcher API, which never follows redirects: a 3xx counts
 * as a failure the receiver must fix, so a redirect cannot lead around the SSRF policy.
 */
export function createHttpWebhookSender(options: HttpWebhookSenderOptions): WebhookSender {
  const userAgent = options.userAgent ?? 'RoleRabbit-Webhooks/1.0';
  const now = options.now ?? (() => new Date());

  return {
    async send(webhook: OutgoingWebhook, signal: AbortSignal): Promise<WebhookReceipt> {
      const url = new URL(webhook.url);
      const dispatcher =
        webhook.trust === 'operator' ? options.operatorDispatcher : options.customerDispatcher;
      const headers = {
        'content-type': 'application/json',
        'user-agent': userAgent,
        ...signWebhook({
          secret: webhook.secret,
          webhookId: webhook.webhookId,
          sentAt: now(),
          body: webhook.body,
        }),
      };
      let response: Dispatcher.ResponseData;
      try {
        response = await dispatcher.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers,
          body: webhook.body,
          signal,
        });
      } catch (err) {
        if (signal.aborted) {
          // The per-attempt deadline: the caller names it from the signal's reason.
          throw err;
        }
        if (err instanceof SsrfRefusedError) {
          // The target itself is forbidden: retrying cannot help, and our egress is healthy.
          throw new IntegrationFailure('webhooks', err.publicMessage, {
            kind: 'rejected',
            cause: err,
          });
        }
        throw new IntegrationFailure('webhooks', describeRequestFailure(err), {
          kind: 'retryable',
          cause: err,
        });
      }
      const status = response.statusCode;
      if (status >= 200 && status < 300) {
        await response.body.dump({ limit: SUCCESS_BODY_LIMIT_BYTES }).catch(() => undefined);
        return { status };
      }
      const excerpt = await readExcerpt(response.body);
      throw new IntegrationFailure(
        'webhooks',
        `the receiver answered ${String(status)}${excerpt === '' ? '' : `: ${excerpt}`}`,
        {
          kind: status >= 300 && status < 400 ? 'rejected' : failureKindOfStatus(status),
          status,
          retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
        },
      );
    },
  };
}
