import type { z } from 'zod';

import {
  failureKindOfStatus,
  IntegrationFailure,
  type IntegrationName,
  parseRetryAfter,
} from '../resilience/integration-errors.ts';

export interface VendorRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** Sent as JSON when an object, as-is when a string. */
  readonly body?: unknown;
  readonly signal: AbortSignal;
}

const MAX_ERROR_TEXT = 300;

async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

/**
 * One HTTP call to a vendor API that answers JSON. Non-2xx answers become an
 * IntegrationFailure classified by status (with Retry-After); a 2xx body that is not JSON
 * or does not match `schema` is a vendor fault, reported with the field that was wrong.
 */
export async function requestVendorJson<T>(
  integration: IntegrationName,
  url: string,
  request: VendorRequest,
  schema: z.ZodType<T>,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined) {
    body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, {
    method: request.method ?? 'GET',
    headers,
    signal: request.signal,
    ...(body === undefined ? {} : { body }),
  });
  const text = await readText(response);
  if (!response.ok) {
    throw new IntegrationFailure(
      integration,
      `${integration} answered ${String(response.status)}: ${text.slice(0, MAX_ERROR_TEXT)}`,
      {
        kind: failureKindOfStatus(response.status),
        status: response.status,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new IntegrationFailure(
      integration,
      `${integration} answered non-JSON: ${text.slice(0, 80)}`,
      {
        kind: 'retryable',
        status: response.status,
        cause: err,
      },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IntegrationFailure(
      integration,
      `${integration} answered an unexpected shape at ${issue?.path.join('.') ?? '(root)'}: ${issue?.message ?? ''}`,
      { kind: 'retryable', status: response.status, cause: parsed.error },
    );
  }
  return parsed.data;
}
