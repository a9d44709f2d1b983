import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

import { RequestError } from '@hono/node-server';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';

import type { ErrorCode } from '../errors/app-error.ts';
import { REQUEST_ID_HEADER } from './middleware/request-context.ts';
import { createProblem, PROBLEM_CONTENT_TYPE } from './problem.ts';

/** What a request that never reached the app is answered with (R-SEC-6). */
export interface ProtocolFault {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly detail: string;
}

const MALFORMED: ProtocolFault = {
  status: 400,
  code: 'request.malformed',
  detail: 'The request could not be parsed as HTTP/1.1.',
};
const INVALID_HOST: ProtocolFault = {
  status: 400,
  code: 'request.invalid_host',
  detail: 'The Host header is missing or is not a valid host name.',
};

/**
 * The answer to an error of Node's HTTP parser or its timeouts (the codes of llhttp and
 * `ERR_HTTP_REQUEST_TIMEOUT`); anything unrecognised is a malformed request, as in Node.
 */
export function faultOfClientError(err: Error): ProtocolFault {
  const code = 'code' in err && typeof err.code === 'string' ? err.code : '';
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'request.timeout',
        detail: 'The request headers or body did not arrive in time.',
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'request.headers_too_large',
        detail: 'The request headers are too large.',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return {
        status: 413,
        code: 'request.too_large',
        detail: 'The chunk extensions of the request body are too large.',
      };
    // RFC 9110 §9.1: a method the server does not recognise gets 501.
    case 'HPE_INVALID_METHOD':
      return {
        status: 501,
        code: 'request.method_not_implemented',
        detail: 'The request method is not one this server implements.',
      };
    default:
      return MALFORMED;
  }
}

/**
 * The answer to a request @hono/node-server could not turn into a `Request` (a Host header
 * that is not a host name, a malformed target); undefined for anything else.
 */
export function faultOfRequestError(err: unknown): ProtocolFault | undefined {
  if (!(err instanceof RequestError)) {
    return undefined;
  }
  // The URL is built from the Host header and the target, so an invalid URL is one of them.
  return /host/i.test(err.message)
    ? INVALID_HOST
    : {
        status: 400,
        code: 'request.malformed',
        detail: 'The request target or the Host header is malformed.',
      };
}

/** An HTTP/1.1 request must carry Host, if empty (RFC 9112 §3.2); HTTP/1.0 need not. */
export function lacksRequiredHost(request: {
  readonly httpVersion: string;
  readonly headers: { readonly host?: string | undefined };
}): boolean {
  return request.httpVersion === '1.1' && request.headers.host === undefined;
}

export const MISSING_HOST: ProtocolFault = {
  status: 400,
  code: 'request.invalid_host',
  detail: 'An HTTP/1.1 request must carry a Host header.',
};

/** The problem document, the headers and a fresh request id for one protocol fault. */
export function protocolProblem(fault: ProtocolFault): {
  readonly requestId: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
} {
  const requestId = randomUUID();
  const body = JSON.stringify(
    createProblem({
      ...fault,
      // No route was matched, and the target may be the malformed part: name the occurrence.
      instance: `urn:rolerabbit:request:${requestId}`,
      requestId,
    }),
  );
  return {
    requestId,
    body,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': String(Buffer.byteLength(body)),
      'x-content-type-options': 'nosniff',
      [REQUEST_ID_HEADER]: requestId,
      // The rest of the connection cannot be trusted to frame the next request.
      connection: 'close',
    },
  };
}

/** Socket internals Node's own default clientError answer relies on. */
interface HttpSocket extends Duplex {
  readonly _httpMessage?: { readonly headersSent: boolean } | null;
}

/**
 * The server's `clientError` hook: answers a parse error or a header/request timeout with
 * problem+json and closes the connection. Like Node's default, it writes nothing once a
 * response has started on the socket (the bytes would corrupt it) or when the client is gone.
 */
export function answerClientError(logger: Logger): (err: Error, socket: Duplex) => void {
  return function answerClientError(err, socket) {
    const inFlight = (socket as HttpSocket)._httpMessage;
    if (!socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const fault = faultOfClientError(err);
    const { requestId, body, headers } = protocolProblem(fault);
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    logger.info(
      { requestId, status: fault.status, code: fault.code, cause: err.message },
      'protocol error answered',
    );
    // Flushed, then destroyed: a client that never closes its side cannot keep the socket.
    socket.end(
      `HTTP/1.1 ${String(fault.status)} ${STATUS_CODES[fault.status] ?? ''}\r\n${head}\r\n${body}`,
      () => {
        socket.destroy();
      },
    );
  };
}
