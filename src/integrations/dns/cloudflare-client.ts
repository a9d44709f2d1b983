import { z } from 'zod';

import {
  type FailureKind,
  failureKindOfStatus,
  IntegrationFailure,
  IntegrationRateLimitedError,
  parseRetryAfter,
} from '../resilience/integration-errors.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { RateLimiter } from './redis-rate-limiter.ts';

/** Cloudflare error codes that mean "our request was wrong", even when sent with HTTP 200. */
export const CLOUDFLARE_CODES = {
  authentication: 10_000,
  recordDoesNotExist: 81_044,
  hostAlreadyUsed: 81_053,
  recordAlreadyExists: 81_057,
  identicalRecordExists: 81_058,
} as const;

const CALLER_FAULT_CODES = new Set<number>(Object.values(CLOUDFLARE_CODES));
const MAX_MESSAGE_LENGTH = 300;

const responseInfoSchema = z.object({ code: z.number(), message: z.string() });

const envelopeSchema = z.object({
  success: z.boolean(),
  errors: z.array(responseInfoSchema).default([]),
  result: z.unknown(),
  result_info: z
    .object({
      page: z.number(),
      per_page: z.number(),
      total_pages: z.number().optional(),
      count: z.number(),
      total_count: z.number().optional(),
    })
    .optional(),
});

export type ResultInfo = NonNullable<z.infer<typeof envelopeSchema>['result_info']>;

/** A failed Cloudflare call with the API's error codes, so callers can branch on them. */
export class CloudflareApiFailure extends IntegrationFailure {
  override readonly name: string = 'CloudflareApiFailure';
  readonly codes: readonly number[];

  constructor(
    message: string,
    options: {
      kind: FailureKind;
      status: number;
      codes: readonly number[];
      retryAfterMs?: number | undefined;
    },
  ) {
    super('dns', message, options);
    this.codes = options.codes;
  }

  hasCode(...codes: number[]): boolean {
    return codes.some((code) => this.codes.includes(code));
  }
}

export interface CloudflareRequest<T> {
  /** Named in logs and metrics. */
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below the base URL, e.g. `/zones/<id>/dns_records`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
  readonly result: z.ZodType<T>;
}

export interface CloudflareClient {
  request<T>(request: CloudflareRequest<T>): Promise<{ result: T; info: ResultInfo | undefined }>;
}

export interface CloudflareClientOptions {
  readonly apiToken: string;
  readonly apiBaseUrl: string;
  readonly call: ResilientCall;
  readonly rateLimiter?: RateLimiter | undefined;
}

function describe(status: number, errors: readonly { code: number; message: string }[]): string {
  const detail = errors.map((e) => `${String(e.code)} ${e.message}`).join('; ');
  return `Cloudflare answered ${String(status)}${detail === '' ? '' : `: ${detail}`}`.slice(
    0,
    MAX_MESSAGE_LENGTH,
  );
}

/** How a failed answer is treated: by HTTP status, except that a known code is our fault. */
function failureKind(status: number, codes: readonly number[]): FailureKind {
  if (status === 429 || status >= 500) {
    return 'retryable';
  }
  if (codes.some((code) => CALLER_FAULT_CODES.has(code))) {
    return 'rejected';
  }
  // `success: false` with a 2xx is the vendor contradicting itself, not our request.
  return status < 300 ? 'retryable' : failureKindOfStatus(status);
}

/**
 * Cloudflare API v4 over fetch: one resilient call per HTTP request (so a retry repeats only
 * that request), the bearer token, the `{ success, errors, result, result_info }` envelope,
 * and the request budget checked before anything is sent. A 429 whose wait did not fit the
 * attempt is recorded in the shared budget: Cloudflare blocks the whole token, so every
 * process holds off until then without sending anything.
 */
export function createCloudflareClient(options: CloudflareClientOptions): CloudflareClient {
  const baseUrl = options.apiBaseUrl.replace(/\/+$/, '');

  return {
    request<T>(request: CloudflareRequest<T>) {
      const url = new URL(`${baseUrl}${request.path}`);
      for (const [key, value] of Object.entries(request.query ?? {})) {
        url.searchParams.set(key, String(value));
      }
      const sent = options.call(request.operation, async (signal) => {
        await options.rateLimiter?.acquire(signal);
        const response = await fetch(url, {
          method: request.method,
          headers: {
            authorization: `Bearer ${options.apiToken}`,
            accept: 'application/json',
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          signal,
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        });
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        const text = await response.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const envelope = envelopeSchema.safeParse(json);
        if (!envelope.success || !envelope.data.success || !response.ok) {
          const errors = envelope.success ? envelope.data.errors : [];
          const codes = errors.map((e) => e.code);
          const message = envelope.success
            ? describe(response.status, errors)
            : `Cloudflare answered ${String(response.status)} without its JSON envelope: ${text.slice(0, 80)}`;
          throw new CloudflareApiFailure(message, {
            kind: failureKind(response.status, codes),
            status: response.status,
            codes,
            retryAfterMs,
          });
        }
        const result = request.result.safeParse(envelope.data.result);
        if (!result.success) {
          const issue = result.error.issues[0];
          throw new IntegrationFailure(
            'dns',
            `Cloudflare answered an unexpected shape at result.${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
            { kind: 'retryable', status: response.status, cause: result.error },
          );
        }
        return { result: result.data, info: envelope.data.result_info };
      });
      return sent.catch(async (err: unknown) => {
        if (err instanceof IntegrationRateLimitedError && err.fromVendor) {
          await options.rateLimiter?.blockFor(err.blockedUntil - Date.now());
        }
        throw err;
      });
    },
  };
}
