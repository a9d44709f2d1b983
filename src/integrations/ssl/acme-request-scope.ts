import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type ClientRequest,
  type IncomingMessage,
  request as httpRequest,
  type RequestOptions,
} from 'node:http';
import { type Agent, request as httpsRequest } from 'node:https';

import type * as acme from 'acme-client';

import { AppError } from '../../errors/app-error.ts';
import {
  failureKindOfStatus,
  IntegrationFailure,
  parseRetryAfter,
} from '../resilience/integration-errors.ts';

interface LastResponse {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly problemType: string | undefined;
}

/** One issuance's view of the ACME requests it sends. */
export interface AcmeRequestScope {
  readonly signal: AbortSignal;
  /** Set when extra CAs are trusted; otherwise node's default agent and roots apply. */
  readonly httpsAgent: Agent | undefined;
  lastResponse?: LastResponse | undefined;
  /** The socket-level error of the last request, when it got no response. */
  networkError?: Error | undefined;
}

type AcmeAxios = typeof acme.axios;

const scopes = new AsyncLocalStorage<AcmeRequestScope>();
const prepared = new WeakSet<AcmeAxios>();

/** Runs `work` with every ACME request it makes bound to `scope`. */
export function runInAcmeScope<T>(scope: AcmeRequestScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

/**
 * Plain node http(s) requests that note a socket-level failure (refused, reset, untrusted
 * certificate) in the scope. With its retries off, acme-client's response interceptor
 * replaces such an error with a TypeError, so this is where the real cause survives.
 */
function observingTransport(scope: AcmeRequestScope) {
  return {
    request(
      options: RequestOptions,
      onResponse: (response: IncomingMessage) => void,
    ): ClientRequest {
      const send = options.protocol === 'http:' ? httpRequest : httpsRequest;
      const request = send(options, onResponse);
      request.once('error', (err) => {
        scope.networkError = err;
      });
      return request;
    },
  };
}

/**
 * acme-client sends every request through one shared axios instance, with no way to pass
 * options per request. Installed once, these interceptors give each request the abort
 * signal and TLS agent of the issuance it belongs to (through AsyncLocalStorage) and note
 * its outcome for classifying failures. acme-client's own retries are turned off: the `ssl`
 * integration's policy is the only one, so retries never multiply.
 */
export function prepareAcmeAxios(instance: AcmeAxios): void {
  if (prepared.has(instance)) {
    return;
  }
  prepared.add(instance);
  const settings = (instance.defaults as { acmeSettings?: { retryMaxAttempts: number } })
    .acmeSettings;
  if (settings !== undefined) {
    settings.retryMaxAttempts = 0;
  }
  instance.interceptors.request.use((config) => {
    const scope = scopes.getStore();
    if (scope !== undefined) {
      config.signal = scope.signal;
      config.transport = observingTransport(scope);
      if (scope.httpsAgent !== undefined) {
        config.httpsAgent = scope.httpsAgent;
      }
    }
    return config;
  });
  instance.interceptors.response.use((response) => {
    const scope = scopes.getStore();
    if (scope !== undefined) {
      const data = response.data as { type?: unknown } | undefined;
      const retryAfter: unknown = response.headers['retry-after'];
      scope.networkError = undefined;
      scope.lastResponse = {
        status: response.status,
        retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
        problemType: typeof data?.type === 'string' ? data.type : undefined,
      };
    }
    return response;
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Turns what one ACME step threw into a classified failure. acme-client throws plain
 * Errors carrying only the problem detail, so the HTTP status comes from the scope.
 */
export function classifyAcmeFailure(err: unknown, scope: AcmeRequestScope, step: string): unknown {
  if (err instanceof AppError || err instanceof IntegrationFailure || scope.signal.aborted) {
    return err;
  }
  if (scope.networkError !== undefined) {
    return scope.networkError;
  }
  const last = scope.lastResponse;
  if (last === undefined || last.status < 400) {
    return err;
  }
  // acme-client already re-sent on badNonce; a fresh attempt starts with a fresh nonce.
  const badNonce = last.problemType === 'urn:ietf:params:acme:error:badNonce';
  return new IntegrationFailure(
    'ssl',
    `ACME ${step} failed (${String(last.status)}): ${messageOf(err)}`,
    {
      kind: badNonce ? 'retryable' : failureKindOfStatus(last.status),
      status: last.status,
      retryAfterMs: parseRetryAfter(last.retryAfter),
      cause: err,
    },
  );
}

/** True when the CA answered, and acme-client gave up on the status it reported. */
export function isStatusVerdict(err: unknown, scope: AcmeRequestScope): err is Error {
  return (
    err instanceof Error &&
    !(err instanceof IntegrationFailure) &&
    !scope.signal.aborted &&
    scope.networkError === undefined
  );
}
