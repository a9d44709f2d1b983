import { z } from 'zod';

import {
  type FailureKind,
  failureKindOfStatus,
  IntegrationFailure,
  parseRetryAfter,
} from '../resilience/integration-errors.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { EmailSender } from './email.ts';
import { validateEmailMessage } from './email-message.ts';

export interface ResendEmailOptions {
  readonly apiKey: string;
  /** A sender on a domain verified in Resend: `Name <address>`. */
  readonly from: string;
  /** Default https://api.resend.com; tests point it at a stand-in. */
  readonly baseUrl?: string;
  readonly call: ResilientCall;
}

const sentSchema = z.object({ id: z.string().min(1) });
const errorSchema = z.object({ name: z.string(), message: z.string() });

/**
 * Resend's error names refine the status: a 409 for a request with the same key still in
 * flight is worth retrying later (with the same key), while a key reused for a different
 * body is our bug. 429 (rate limit or quota) and 5xx are retryable.
 */
function kindOf(status: number, name: string | undefined): FailureKind {
  if (status === 409) {
    return name === 'concurrent_idempotent_requests' ? 'retryable' : 'rejected';
  }
  return failureKindOfStatus(status);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sends through Resend's HTTP API (`POST /emails`), deduplicated by the Idempotency-Key. */
export function createResendEmail(options: ResendEmailOptions): EmailSender {
  const { apiKey, from, call } = options;
  const endpoint = `${(options.baseUrl ?? 'https://api.resend.com').replace(/\/+$/, '')}/emails`;

  return {
    async send(message) {
      validateEmailMessage(message);
      const body = JSON.stringify({
        from,
        to: [message.to],
        subject: message.subject,
        html: message.html,
        text: message.text,
        ...(message.replyTo === undefined ? {} : { reply_to: message.replyTo }),
      });
      return call('send', async (signal) => {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            // The same key on every attempt: Resend sends the message at most once per key.
            'idempotency-key': message.idempotencyKey,
          },
          body,
          signal,
        });
        const text = await response.text();
        const json = parseJson(text);
        if (!response.ok) {
          const error = errorSchema.safeParse(json);
          const name = error.success ? error.data.name : undefined;
          const detail = error.success ? error.data.message : text.slice(0, 300);
          throw new IntegrationFailure(
            'email',
            `resend answered ${String(response.status)} ${name ?? ''}: ${detail}`,
            {
              kind: kindOf(response.status, name),
              status: response.status,
              retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
            },
          );
        }
        const sent = sentSchema.safeParse(json);
        if (!sent.success) {
          // Retrying is safe: the same key makes Resend answer with the original id.
          throw new IntegrationFailure(
            'email',
            `resend answered an unexpected body: ${text.slice(0, 80)}`,
            {
              kind: 'retryable',
              status: response.status,
            },
          );
        }
        return { messageId: sent.data.id };
      });
    },
  };
}
