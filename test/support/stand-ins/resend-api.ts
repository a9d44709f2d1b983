import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the stand-in saw it, whatever it answered. */
export interface ResendRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly body: unknown;
  /** 0 when the stand-in never answered (a scripted hang). */
  readonly status: number;
  /** Resolves when the client hung up before an answer (an aborted attempt). */
  readonly closedByClient: Promise<void>;
}

export interface AcceptedResendEmail {
  readonly id: string;
  readonly idempotencyKey: string | undefined;
  readonly body: Readonly<Record<string, unknown>>;
}

/** Injected before validation: a vendor error with its documented body, or no answer at all. */
export type ResendFault =
  | { readonly status: number; readonly name: string; readonly retryAfterSeconds?: number }
  | { readonly hang: true };

export interface ResendApiStandIn {
  readonly url: string;
  readonly apiKey: string;
  readonly requests: ResendRequest[];
  /** Emails the stand-in accepted (idempotent replays are not added again). */
  readonly emails: AcceptedResendEmail[];
  /** The next requests (after the key check) get these faults, in order. */
  failNext(...faults: ResendFault[]): void;
  close(): Promise<void>;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

function validationProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'The request body must be a JSON object';
  }
  const fields = body as Record<string, unknown>;
  for (const name of ['from', 'subject'] as const) {
    if (typeof fields[name] !== 'string' || fields[name] === '') {
      return `Missing \`${name}\` field.`;
    }
  }
  const to = typeof fields.to === 'string' ? [fields.to] : fields.to;
  if (!Array.isArray(to) || to.length === 0 || to.length > 50) {
    return 'The `to` field must be an address or an array of 1 to 50 addresses.';
  }
  if (!to.every((address) => typeof address === 'string' && EMAIL.test(address))) {
    return 'Invalid `to` field. The email address needs to follow the `email@example.com` format.';
  }
  if (typeof fields.html !== 'string' && typeof fields.text !== 'string') {
    return 'Missing `html` or `text` field.';
  }
  if (fields.reply_to !== undefined && typeof fields.reply_to !== 'string') {
    return 'The `reply_to` field must be a string.';
  }
  return undefined;
}

/**
 * A loopback stand-in for Resend's `POST /emails`: Bearer key check, body validation (422),
 * Idempotency-Key semantics (same key + same body replays the first id; a different body is
 * 409 invalid_idempotent_request), and scripted 5xx/429/409/hang faults.
 */
export async function startResendApiStandIn(apiKey = 're_test_key'): Promise<ResendApiStandIn> {
  const requests: ResendRequest[] = [];
  const emails: AcceptedResendEmail[] = [];
  const faults: ResendFault[] = [];
  const byKey = new Map<string, { bodyHash: string; id: string }>();
  const hanging = new Set<ServerResponse>();

  function answer(
    response: ServerResponse,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ): void {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(payload));
  }

  function fail(
    response: ServerResponse,
    status: number,
    name: string,
    message: string,
    headers?: Record<string, string>,
  ): number {
    answer(response, status, { statusCode: status, name, message }, headers);
    return status;
  }

  function handle(request: IncomingMessage, response: ServerResponse, text: string): number {
    if (request.method !== 'POST' || request.url !== '/emails') {
      return fail(response, 404, 'not_found', 'The requested endpoint does not exist.');
    }
    const authorization = request.headers.authorization;
    if (authorization === undefined) {
      return fail(response, 401, 'missing_api_key', 'Missing API key in the authorization header.');
    }
    if (authorization !== `Bearer ${apiKey}`) {
      return fail(response, 403, 'invalid_api_key', 'API key is invalid');
    }
    const fault = faults.shift();
    if (fault !== undefined && 'hang' in fault) {
      hanging.add(response);
      return 0;
    }
    if (fault !== undefined) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined
          ? {}
          : { 'retry-after': String(fault.retryAfterSeconds) };
      return fail(response, fault.status, fault.name, 'Injected by the stand-in', headers);
    }
    if (request.headers['content-type']?.startsWith('application/json') !== true) {
      return fail(response, 422, 'validation_error', 'Content-Type must be application/json');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fail(response, 400, 'validation_error', 'The body is not valid JSON');
    }
    const problem = validationProblem(body);
    if (problem !== undefined) {
      return fail(response, 422, 'validation_error', problem);
    }
    const key = request.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : undefined;
    if (idempotencyKey !== undefined && (idempotencyKey.length > 256 || idempotencyKey === '')) {
      return fail(response, 400, 'invalid_idempotency_key', 'Key must be 1-256 characters');
    }
    const bodyHash = createHash('sha256').update(text).digest('hex');
    const previous = idempotencyKey === undefined ? undefined : byKey.get(idempotencyKey);
    if (previous !== undefined) {
      if (previous.bodyHash !== bodyHash) {
        return fail(
          response,
          409,
          'invalid_idempotent_request',
          'Same idempotency key used with a different request payload.',
        );
      }
      answer(response, 200, { id: previous.id });
      return 200;
    }
    const id = randomUUID();
    if (idempotencyKey !== undefined) {
      byKey.set(idempotencyKey, { bodyHash, id });
    }
    emails.push({ id, idempotencyKey, body: body as Record<string, unknown> });
    answer(response, 200, { id });
    return 200;
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    const closedByClient = new Promise<void>((resolve) => {
      response.on('close', () => {
        if (!response.writableFinished) {
          resolve();
        }
      });
    });
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = handle(request, response, text);
      const key = request.headers['idempotency-key'];
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      requests.push({
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        authorization: request.headers.authorization,
        idempotencyKey: typeof key === 'string' ? key : undefined,
        body,
        status,
        closedByClient,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${String(port)}`,
    apiKey,
    requests,
    emails,
    failNext(...next) {
      faults.push(...next);
    },
    async close() {
      for (const response of hanging) {
        response.destroy();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
