import type { Logger } from 'pino';

import {
  IntegrationFailure,
  IntegrationTimeoutError,
  IntegrationUnavailableError,
} from '../../integrations/resilience/integration-errors.ts';
import type { ResilientCall } from '../../integrations/resilience/resilient-call.ts';
import type { WebhookSender } from '../../integrations/webhooks/webhook-sender.ts';

/** Where one attempt goes and how it is signed; `breakerKey` picks the target's breaker. */
export interface AttemptTarget {
  readonly url: string;
  readonly secret: string;
  readonly trust: 'customer' | 'operator';
  readonly breakerKey: string;
}

/** What one attempt came to. Error texts are safe to show the endpoint's owner (R-SEC-7). */
export type AttemptOutcome =
  | { readonly kind: 'answered'; readonly statusCode: number; readonly durationMs: number }
  | {
      readonly kind: 'failed';
      readonly statusCode: number | null;
      readonly error: string;
      readonly durationMs: number;
    }
  /** The target's breaker is open: nothing was sent. */
  | { readonly kind: 'deferred'; readonly reason: string };

export interface AttemptSender {
  /** One signed HTTP request through the target's breaker, with no retry inside it. */
  send(
    target: AttemptTarget,
    message: { readonly webhookId: string; readonly body: string },
  ): Promise<AttemptOutcome>;
}

export interface AttemptSenderDeps {
  readonly sender: WebhookSender;
  /** A call per target key with the webhook policy and no in-call retries (`WebhookCalls`). */
  readonly callFor: (targetKey: string) => ResilientCall;
  /** The per-attempt budget, named in the error of an attempt that ran out of it. */
  readonly timeoutMs: number;
  readonly logger: Pick<Logger, 'warn'>;
}

const MAX_ERROR_LENGTH = 500;

/** Keyed by endpoint and URL: a changed URL starts with a fresh breaker. */
export function endpointBreakerKey(endpointId: string, url: string): string {
  return `${endpointId} ${url}`;
}

export function operatorBreakerKey(url: string): string {
  return `global ${url}`;
}

export function createAttemptSender(deps: AttemptSenderDeps): AttemptSender {
  const { sender, callFor, timeoutMs, logger } = deps;
  const timedOut = `the receiver did not answer within ${String(timeoutMs)} ms`;

  /** The sender words its own failures for the owner; anything else stays in the log. */
  function describe(err: unknown, signal: AbortSignal): string {
    if (signal.aborted || err instanceof IntegrationTimeoutError) {
      return timedOut;
    }
    return err instanceof IntegrationFailure
      ? err.message.slice(0, MAX_ERROR_LENGTH)
      : 'the request could not be sent';
  }

  return {
    async send(target, message) {
      // Filled inside the attempt: the deadline can settle the call before the aborted request
      // has rejected, and an open breaker never starts it.
      const attempt: { startedAt?: number; outcome?: AttemptOutcome } = {};
      const elapsed = () =>
        attempt.startedAt === undefined ? 0 : Math.round(performance.now() - attempt.startedAt);
      try {
        const receipt = await callFor(target.breakerKey)('deliver', async (signal) => {
          attempt.startedAt = performance.now();
          try {
            return await sender.send(
              {
                url: target.url,
                secret: target.secret,
                trust: target.trust,
                webhookId: message.webhookId,
                body: message.body,
              },
              signal,
            );
          } catch (err) {
            attempt.outcome = {
              kind: 'failed',
              statusCode: err instanceof IntegrationFailure ? (err.status ?? null) : null,
              error: describe(err, signal),
              durationMs: elapsed(),
            };
            // Addresses, TLS and socket details go to the log only.
            logger.warn(
              { err, webhookId: message.webhookId, trust: target.trust },
              'webhook attempt failed',
            );
            throw err;
          }
        });
        return { kind: 'answered', statusCode: receipt.status, durationMs: elapsed() };
      } catch (err) {
        if (attempt.startedAt === undefined) {
          if (err instanceof IntegrationUnavailableError) {
            return { kind: 'deferred', reason: 'the receiver failed repeatedly; sending paused' };
          }
          throw err;
        }
        const ranOutOfTime =
          err instanceof IntegrationTimeoutError ||
          (err instanceof IntegrationUnavailableError &&
            err.cause instanceof IntegrationTimeoutError);
        return (
          attempt.outcome ?? {
            kind: 'failed',
            statusCode: null,
            error: ranOutOfTime ? timedOut : 'the request could not be sent',
            durationMs: elapsed(),
          }
        );
      }
    },
  };
}
