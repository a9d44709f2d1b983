import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  clock,
  fail,
  present,
  PROXIABLE,
  send,
  type StoredRecord,
} from './cloudflare-api-records.ts';

export type { StoredRecord } from './cloudflare-api-records.ts';

/**
 * An in-memory Cloudflare API v4 (DNS records only), written from the documented shapes:
 * the `{ success, errors, messages, result, result_info }` envelope, bearer tokens (10000
 * when wrong), page/per_page pagination, the `comment` field (kept on create, changed by
 * PATCH, `null` when unset) with the `comment.exact`, `comment.startswith` and
 * `comment.absent` filters, the duplicate rules (81053 for a name held by a conflicting
 * type, 81057 for an identical record), 81044 for unknown ids, and switches that answer 429
 * with Retry-After, 5xx, or `success:false` with HTTP 200.
 */

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly at: number;
}

export type SeedRecord = Pick<StoredRecord, 'type' | 'name' | 'content'> & {
  readonly comment?: string | null;
};

export type Failure =
  | { readonly status: 429; readonly retryAfterSeconds: number }
  | { readonly status: 500 | 502 | 503 }
  | { readonly status: 200; readonly successFalse: true };

export interface CloudflareApiStandIn {
  /** The base URL to pass as `apiBaseUrl` (like https://api.cloudflare.com/client/v4). */
  readonly url: string;
  readonly zoneId: string;
  readonly token: string;
  readonly requests: SeenRequest[];
  /** Every record in the zone, oldest first. */
  records(): StoredRecord[];
  /** Adds records directly, without requests (an operator's, unless given our comment). */
  seed(records: readonly SeedRecord[]): void;
  /** The next `times` requests fail this way before the API answers normally again. */
  failNext(times: number, failure: Failure): void;
  /** Runs `act` just before the next create is handled: another writer racing ours. */
  beforeNextCreate(act: () => void): void;
  close(): Promise<void>;
}

export async function startCloudflareApi(
  options: { readonly token?: string; readonly zoneId?: string } = {},
): Promise<CloudflareApiStandIn> {
  const token = options.token ?? randomBytes(20).toString('hex');
  const zoneId = options.zoneId ?? randomBytes(16).toString('hex');
  const store = new Map<string, StoredRecord>();
  const requests: SeenRequest[] = [];
  const failures: Failure[] = [];
  let beforeCreate: (() => void) | undefined;
  const now = clock();

  const add = (fields: SeedRecord & Partial<StoredRecord>) => {
    const stamp = now();
    const proxied = PROXIABLE.has(fields.type) && fields.proxied === true;
    const record: StoredRecord = {
      id: randomBytes(16).toString('hex'),
      type: fields.type,
      name: fields.name.toLowerCase(),
      content: fields.content,
      ttl: proxied ? 1 : (fields.ttl ?? 1),
      proxied,
      comment: typeof fields.comment === 'string' && fields.comment !== '' ? fields.comment : null,
      created_on: stamp,
      modified_on: stamp,
    };
    store.set(record.id, record);
    return record;
  };

  /** The Cloudflare error code a create of `input` would hit, if any. */
  const duplicateCode = (input: StoredRecord | Pick<StoredRecord, 'type' | 'name' | 'content'>) => {
    for (const other of store.values()) {
      if (other.name !== input.name.toLowerCase() || ('id' in input && other.id === input.id)) {
        continue;
      }
      if (other.type === input.type && other.content === input.content) {
        return 81_057;
      }
      // A CNAME owns its name: no A, AAAA or second CNAME beside it.
      const aliased = other.type === 'CNAME' || input.type === 'CNAME';
      if (aliased && PROXIABLE.has(other.type) && PROXIABLE.has(input.type)) {
        return 81_053;
      }
    }
    return undefined;
  };

  const list = (query: URLSearchParams, response: ServerResponse) => {
    const name = (query.get('name.exact') ?? query.get('name'))?.toLowerCase();
    const type = query.get('type');
    const commentExact = query.get('comment.exact') ?? query.get('comment');
    const commentStart = query.get('comment.startswith');
    const commentAbsent = query.has('comment.absent');
    const matching = [...store.values()].filter(
      (r) =>
        (name === undefined || r.name === name) &&
        (type === null || r.type === type) &&
        (commentExact === null || r.comment === commentExact) &&
        (commentStart === null || (r.comment ?? '').startsWith(commentStart)) &&
        (!commentAbsent || r.comment === null),
    );
    const page = Math.max(1, Number(query.get('page') ?? 1));
    const perPage = Math.min(5_000, Math.max(1, Number(query.get('per_page') ?? 100)));
    const slice = matching.slice((page - 1) * perPage, page * perPage);
    send(response, 200, {
      success: true,
      errors: [],
      messages: [],
      result: slice.map(present),
      result_info: {
        page,
        per_page: perPage,
        count: slice.length,
        total_count: matching.length,
        total_pages: Math.max(1, Math.ceil(matching.length / perPage)),
      },
    });
  };

  const write = (body: unknown, response: ServerResponse, existing?: StoredRecord) => {
    const input = body as Partial<StoredRecord> | undefined;
    if (
      typeof input?.type !== 'string' ||
      typeof input.name !== 'string' ||
      typeof input.content !== 'string'
    ) {
      fail(response, 400, 9_005, 'Content for the record is invalid.');
      return;
    }
    const candidate = { ...existing, ...input } as StoredRecord;
    const code = duplicateCode(candidate);
    if (code !== undefined) {
      const message =
        code === 81_057
          ? 'Record already exists.'
          : 'An A, AAAA, or CNAME record with that host already exists.';
      fail(response, 400, code, message);
      return;
    }
    let record: StoredRecord;
    if (existing === undefined) {
      record = add({ ...input, type: input.type, name: input.name, content: input.content });
    } else {
      const proxied = PROXIABLE.has(candidate.type) && candidate.proxied;
      const comment = candidate.comment === '' ? null : candidate.comment;
      record = {
        ...candidate,
        proxied,
        comment,
        ttl: proxied ? 1 : candidate.ttl,
        modified_on: now(),
      };
      store.set(record.id, record);
    }
    send(response, 200, { success: true, errors: [], messages: [], result: present(record) });
  };

  const route = (request: IncomingMessage, response: ServerResponse, body: unknown) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const failure = failures.shift();
    if (failure !== undefined) {
      if (failure.status === 429) {
        response.setHeader('retry-after', String(failure.retryAfterSeconds));
        fail(response, 429, 10_100, 'More than 1200 requests per 300 seconds reached.');
      } else if (failure.status === 200) {
        fail(response, 200, 1_000, 'Internal processing error.');
      } else {
        response.writeHead(failure.status, { 'content-type': 'text/html' });
        response.end('<html>bad gateway</html>');
      }
      return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
      fail(response, 403, 10_000, 'Authentication error');
      return;
    }
    const match = /^\/client\/v4\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(url.pathname);
    if (match?.[1] !== zoneId) {
      fail(response, 404, 7_003, 'Could not route to the requested path.');
      return;
    }
    const id = match[2];
    if (id === undefined) {
      if (request.method === 'GET') {
        list(url.searchParams, response);
      } else if (request.method === 'POST') {
        const racer = beforeCreate;
        beforeCreate = undefined;
        racer?.();
        write(body, response);
      } else {
        fail(response, 405, 10_405, 'Method not allowed');
      }
      return;
    }
    const existing = store.get(id);
    if (existing === undefined) {
      fail(response, 404, 81_044, 'Record does not exist.');
      return;
    }
    if (request.method === 'DELETE') {
      store.delete(id);
      send(response, 200, { success: true, errors: [], messages: [], result: { id } });
    } else if (request.method === 'PATCH' || request.method === 'PUT') {
      write({ ...existing, ...(body as object) }, response, existing);
    } else if (request.method === 'GET') {
      send(response, 200, { success: true, errors: [], messages: [], result: present(existing) });
    } else {
      fail(response, 405, 10_405, 'Method not allowed');
    }
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      const url = new URL(request.url ?? '/', 'http://stand-in');
      requests.push({
        method: request.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        body,
        at: Date.now(),
      });
      route(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${String(port)}/client/v4`,
    zoneId,
    token,
    requests,
    records: () => [...store.values()].sort((a, b) => a.created_on.localeCompare(b.created_on)),
    seed(records) {
      for (const record of records) {
        add(record);
      }
    },
    failNext(times, failure) {
      for (let i = 0; i < times; i += 1) {
        failures.push(failure);
      }
    },
    beforeNextCreate(act) {
      beforeCreate = act;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
