import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';

import { createProblem, problemResponse } from './problem.ts';
import {
  answerClientError,
  faultOfRequestError,
  lacksRequiredHost,
  MISSING_HOST,
  type ProtocolFault,
  protocolProblem,
} from './protocol-errors.ts';

/** How long a client may take (R-SEC-6), in milliseconds. */
export interface HttpServerTimeouts {
  /** To send the request line and headers. */
  readonly headersMs: number;
  /** To send the whole request, body included; at least `headersMs`. */
  readonly requestMs: number;
  /** Idle time allowed between requests on a kept-alive connection. */
  readonly keepAliveMs: number;
}

export interface HttpServerOptions {
  /** The app's fetch (`createApp(...).fetch`). */
  readonly fetch: (request: Request) => Response | Promise<Response>;
  readonly timeouts: HttpServerTimeouts;
  readonly logger: Logger;
  /** The host assumed for an HTTP/1.0 request without Host. */
  readonly defaultHostname?: string;
}

/**
 * How often Node sweeps connections for header and request timeouts. Its default (30 s) would
 * let a slow client outlive a 10 s headers timeout by up to 30 s; a quarter of the shortest
 * timeout, at most a second, keeps the overshoot small at negligible cost.
 */
export function connectionsCheckingIntervalMs(timeouts: HttpServerTimeouts): number {
  const shortestMs = Math.min(timeouts.headersMs, timeouts.requestMs);
  return Math.max(25, Math.min(1_000, Math.floor(shortestMs / 4)));
}

/**
 * The Node HTTP server for the app, not yet listening (R-SEC-6): headers, request and
 * keep-alive timeouts, and problem+json for every request the app never sees (parse errors,
 * timeouts, oversize headers, unknown methods, a missing or malformed Host).
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const { timeouts, logger } = options;

  function describeFault(fault: ProtocolFault) {
    const problem = protocolProblem(fault);
    logger.info(
      { requestId: problem.requestId, status: fault.status, code: fault.code },
      'protocol error answered',
    );
    return problem;
  }

  const listener = getRequestListener(options.fetch, {
    ...(options.defaultHostname === undefined ? {} : { hostname: options.defaultHostname }),
    errorHandler(err) {
      const fault = faultOfRequestError(err);
      if (fault !== undefined) {
        const { body, headers } = describeFault(fault);
        return new Response(body, { status: fault.status, headers });
      }
      // The app answers its own errors, so this failed outside it.
      logger.error({ err }, 'request failed outside the app');
      const requestId = randomUUID();
      return problemResponse(
        createProblem({
          status: 500,
          code: 'internal',
          detail: 'An unexpected error occurred.',
          instance: `urn:rolerabbit:request:${requestId}`,
          requestId,
        }),
      );
    },
  });

  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: connectionsCheckingIntervalMs(timeouts),
      // Checked below instead, so the answer is problem+json rather than Node's empty 400.
      requireHostHeader: false,
    },
    (incoming, outgoing) => {
      if (lacksRequiredHost(incoming)) {
        const { body, headers } = describeFault(MISSING_HOST);
        outgoing.writeHead(MISSING_HOST.status, headers).end(body);
        return;
      }
      void listener(incoming, outgoing);
    },
  );
  server.on('clientError', answerClientError(logger));
  return server;
}
