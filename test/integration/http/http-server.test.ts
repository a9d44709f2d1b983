import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startHttpServer } from '../../../src/wiring/start-http-server.ts';
import type { ProblemBody } from '../../support/api-bodies.ts';
import {
  openRawConnection,
  type RawConnection,
  type RawResponse,
} from '../../support/raw-http-connection.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';

// A real listening server on 127.0.0.1 with short limits, reached over raw sockets, so slow and
// malformed clients can be played exactly (R-SEC-6). Node's defaults would keep a slow client
// for 60 s (headers) or 300 s (body): far past every bound below.
const HEADERS_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1_000;
const KEEP_ALIVE_TIMEOUT_MS = 1_000;
/** Generous: the limits above plus Node's sweep and keep-alive slack, many times over. */
const CUT_OFF_BOUND_MS = 10_000;

let ctx: TestContext;
let port: number;
let user: TestUser;

beforeAll(async () => {
  ctx = await createTestContext({
    HOST: '127.0.0.1',
    PORT: '0',
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
  });
  const server = await startHttpServer(ctx.deps);
  port = (server.address() as AddressInfo).port;
  user = await ctx.createUser();
});

afterAll(async () => {
  await ctx.close();
});

function problemOf(response: RawResponse | undefined): ProblemBody {
  return JSON.parse(response?.body ?? '{}') as ProblemBody;
}

/** Sends `request` and waits for the server to answer and close the connection. */
async function exchange(
  request: string,
): Promise<{ response: RawResponse | undefined; closed: boolean }> {
  const connection = await openRawConnection(port);
  connection.write(request);
  const closed = await connection.closesWithin(CUT_OFF_BOUND_MS);
  connection.destroy();
  return { response: connection.firstResponse(), closed };
}

describe('HTTP timeouts (R-SEC-6, issue 8, fault 10)', () => {
  it(
    'cuts off slow-loris clients with 408 while normal requests flow',
    async () => {
      const loris: RawConnection[] = [];
      for (let i = 0; i < 10; i += 1) {
        const connection = await openRawConnection(port);
        connection.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
        connection.drip('X-Slow: still-here\r\n', 100);
        loris.push(connection);
      }
      const silent = await openRawConnection(port);

      const normal = await Promise.all(
        Array.from({ length: 5 }, () => fetch(`http://127.0.0.1:${String(port)}/healthz`)),
      );
      const cutOff = await Promise.all(
        [...loris, silent].map((connection) => connection.closesWithin(CUT_OFF_BOUND_MS)),
      );

      expect(normal.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      expect(cutOff.every(Boolean)).toBe(true);
      for (const connection of [...loris, silent]) {
        const response = connection.firstResponse();
        expect(response?.status).toBe(408);
        expect(response?.headers['content-type']).toBe('application/problem+json');
        expect(response?.headers.connection).toBe('close');
        expect(problemOf(response).code).toBe('request.timeout');
      }
    },
    CUT_OFF_BOUND_MS * 2,
  );

  it(
    'cuts off an authenticated request whose body stalls',
    async () => {
      const connection = await openRawConnection(port);
      connection.write(
        'POST /api/portfolios HTTP/1.1\r\nHost: localhost\r\n' +
          `Authorization: Bearer ${user.token}\r\nContent-Type: application/json\r\n` +
          'Content-Length: 1000\r\n\r\n{"title":',
      );

      const closed = await connection.closesWithin(CUT_OFF_BOUND_MS);

      expect(closed).toBe(true);
      expect(connection.firstResponse()?.status).toBe(408);
      expect(problemOf(connection.firstResponse()).code).toBe('request.timeout');
    },
    CUT_OFF_BOUND_MS * 2,
  );

  it(
    'keeps a connection alive between requests, then closes it once idle',
    async () => {
      const connection = await openRawConnection(port);
      const request = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n';
      connection.write(request);
      connection.write(request);
      const closed = await connection.closesWithin(CUT_OFF_BOUND_MS);

      const responses = connection.received().match(/HTTP\/1\.1 200 /g) ?? [];
      expect(responses).toHaveLength(2);
      expect(connection.firstResponse()?.headers['keep-alive']).toBe(
        `timeout=${String(KEEP_ALIVE_TIMEOUT_MS / 1000)}`,
      );
      expect(closed).toBe(true);
    },
    CUT_OFF_BOUND_MS * 2,
  );
});

describe('protocol errors answer problem+json (R-SEC-6, issue 8, fault 11)', () => {
  it('answers an unknown method with 501', async () => {
    const { response, closed } = await exchange(
      'BREW /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n',
    );

    expect(response?.status).toBe(501);
    expect(response?.headers['content-type']).toBe('application/problem+json');
    expect(problemOf(response)).toMatchObject({
      status: 501,
      code: 'request.method_not_implemented',
    });
    expect(problemOf(response).requestId).toBe(response?.headers['x-request-id']);
    expect(closed).toBe(true);
  });

  it('answers oversize headers with 431', async () => {
    const { response, closed } = await exchange(
      `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );

    expect(response?.status).toBe(431);
    expect(problemOf(response).code).toBe('request.headers_too_large');
    expect(closed).toBe(true);
  });

  it('answers a Host header that is not a host name with 400', async () => {
    const spaced = await exchange('GET /healthz HTTP/1.1\r\nHost: exa mple.org\r\n\r\n');
    const userInfo = await exchange('GET /healthz HTTP/1.1\r\nHost: user@example.org\r\n\r\n');
    const missing = await exchange('GET /healthz HTTP/1.1\r\n\r\n');

    expect(spaced.response?.status).toBe(400);
    expect(problemOf(spaced.response).code).toBe('request.malformed');
    expect(userInfo.response?.status).toBe(400);
    expect(problemOf(userInfo.response).code).toBe('request.invalid_host');
    expect(missing.response?.status).toBe(400);
    expect(problemOf(missing.response).code).toBe('request.invalid_host');
    for (const { response } of [spaced, userInfo, missing]) {
      expect(response?.headers['content-type']).toBe('application/problem+json');
      expect(response?.headers.connection).toBe('close');
    }
  });

  it('answers a header line that is not a header with 400', async () => {
    const { response, closed } = await exchange(
      'GET /healthz HTTP/1.1\r\nHost: localhost\r\nnot a header\r\n\r\n',
    );

    expect(response?.status).toBe(400);
    expect(problemOf(response).code).toBe('request.malformed');
    expect(closed).toBe(true);
  });

  it('closes the connection with a 413 that leaves the body unread', async () => {
    const connection = await openRawConnection(port);
    connection.write(
      'POST /api/portfolios HTTP/1.1\r\nHost: localhost\r\n' +
        `Authorization: Bearer ${user.token}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${String(20 * 1024 * 1024)}\r\n\r\n${'x'.repeat(1024)}`,
    );

    const closed = await connection.closesWithin(CUT_OFF_BOUND_MS);

    const response = connection.firstResponse();
    expect(response?.status).toBe(413);
    expect(response?.headers.connection).toBe('close');
    expect(problemOf(response).code).toBe('request.too_large');
    expect(closed).toBe(true);
  });
});
