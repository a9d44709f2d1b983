import { randomUUID } from 'node:crypto';

import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';

import type { AppEnv } from '../app-env.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
// A caller's id is echoed into logs and headers, so accept only a short, plain token.
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * First in the chain: gives each request an id (the caller's, if well-formed), a child
 * logger carrying it, and one completion log line with status and duration.
 */
export function requestContext(options: { readonly logger: Logger }): MiddlewareHandler<AppEnv> {
  const { logger } = options;
  return async function requestContext(c, next) {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const requestId =
      incoming !== undefined && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const requestLogger = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('logger', requestLogger);
    const startedAt = performance.now();
    await next();
    c.header(REQUEST_ID_HEADER, requestId);
    requestLogger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
      },
      'request completed',
    );
  };
}
