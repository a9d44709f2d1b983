import type { ServerResponse } from 'node:http';

/** One DNS record as the Cloudflare stand-in keeps it. */
export interface StoredRecord {
  id: string;
  type: string;
  name: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string | null;
  created_on: string;
  modified_on: string;
}

export const PROXIABLE = new Set(['A', 'AAAA', 'CNAME']);

export function send(response: ServerResponse, status: number, body: object, headers = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export function fail(
  response: ServerResponse,
  status: number,
  code: number,
  message: string,
): void {
  send(response, status, {
    success: false,
    errors: [{ code, message }],
    messages: [],
    result: null,
  });
}

export function present(record: StoredRecord): object {
  // Cloudflare shows TXT content as a quoted character-string.
  const content =
    record.type === 'TXT' && !record.content.startsWith('"')
      ? `"${record.content}"`
      : record.content;
  return {
    ...record,
    content,
    proxiable: PROXIABLE.has(record.type),
    settings: {},
    meta: {},
    tags: [],
  };
}

/** A stamp that increases with every record, like ordered creation times. */
export function clock(): () => string {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return new Date(last).toISOString();
  };
}
