import { PassThrough } from 'node:stream';

import { RequestError } from '@hono/node-server';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import {
  answerClientError,
  faultOfClientError,
  faultOfRequestError,
  lacksRequiredHost,
} from './protocol-errors.ts';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe(faultOfClientError.name, () => {
  it('maps timeouts, oversize headers, unknown methods and chunk extensions (R-SEC-6)', () => {
    expect(faultOfClientError(withCode('ERR_HTTP_REQUEST_TIMEOUT')).status).toBe(408);
    expect(faultOfClientError(withCode('HPE_HEADER_OVERFLOW')).status).toBe(431);
    expect(faultOfClientError(withCode('HPE_INVALID_METHOD')).status).toBe(501);
    expect(faultOfClientError(withCode('HPE_CHUNK_EXTENSIONS_OVERFLOW')).status).toBe(413);
  });

  it('calls any other parser error a malformed request', () => {
    expect(faultOfClientError(withCode('HPE_INVALID_HEADER_TOKEN'))).toMatchObject({
      status: 400,
      code: 'request.malformed',
    });
    expect(faultOfClientError(new Error('no code'))).toMatchObject({ status: 400 });
  });
});

describe(faultOfRequestError.name, () => {
  it("names the Host header when the adapter's message does", () => {
    expect(faultOfRequestError(new RequestError('Invalid host header'))?.code).toBe(
      'request.invalid_host',
    );
    expect(faultOfRequestError(new RequestError('Invalid URL'))?.code).toBe('request.malformed');
  });

  it('leaves errors that are not request errors to the caller', () => {
    expect(faultOfRequestError(new Error('boom'))).toBeUndefined();
  });
});

describe(lacksRequiredHost.name, () => {
  it('requires Host of HTTP/1.1 only, and accepts an empty one (RFC 9112 §3.2)', () => {
    expect(lacksRequiredHost({ httpVersion: '1.1', headers: {} })).toBe(true);
    expect(lacksRequiredHost({ httpVersion: '1.1', headers: { host: '' } })).toBe(false);
    expect(lacksRequiredHost({ httpVersion: '1.0', headers: {} })).toBe(false);
  });
});

describe(answerClientError.name, () => {
  const logger = pino({ level: 'silent' });

  it('writes a problem+json answer and closes the socket', async () => {
    const socket = new PassThrough();
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise((resolve) => socket.once('close', resolve));

    answerClientError(logger)(withCode('HPE_HEADER_OVERFLOW'), socket);
    await closed;

    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(text).toContain('content-type: application/problem+json\r\n');
    expect(text).toContain('connection: close\r\n');
    expect(text).toContain('"code":"request.headers_too_large"');
  });

  it('writes nothing once a response has started on the socket', () => {
    const socket = Object.assign(new PassThrough(), { _httpMessage: { headersSent: true } });
    const written: unknown[] = [];
    socket.on('data', (chunk) => written.push(chunk));

    answerClientError(logger)(withCode('ERR_HTTP_REQUEST_TIMEOUT'), socket);

    expect(socket.destroyed).toBe(true);
    expect(written).toEqual([]);
  });
});
