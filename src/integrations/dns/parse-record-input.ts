import { isIPv4, isIPv6 } from 'node:net';

import { InvalidInputError } from '../../errors/app-error.ts';
import {
  AUTOMATIC_TTL,
  DNS_RECORD_TYPES,
  type DnsRecordType,
  type UpsertDnsRecordInput,
} from './dns-provider.ts';

const MAX_NAME_LENGTH = 253;
// Underscores appear in service labels such as _acme-challenge and _rolerabbit-verification.
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** Cloudflare's limit for TXT content; printable ASCII keeps it within one index entry. */
const MAX_TXT_LENGTH = 2048;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const MIN_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 86_400;

/** What an upsert sends, after validation and normalisation. */
export interface RecordInput {
  readonly type: DnsRecordType;
  readonly name: string;
  readonly content: string;
  readonly ttlSeconds: number;
  readonly proxied: boolean;
  readonly owner: string;
}

/** Fits a Cloudflare comment on every plan (100 characters) with the mark's prefix. */
const OWNER = /^[A-Za-z0-9=._-]{1,80}$/;

function invalid(path: string, message: string): InvalidInputError {
  return new InvalidInputError('request.invalid', `Invalid DNS record ${path}: ${message}.`, {
    fieldIssues: [{ path, message }],
  });
}

/**
 * A fully-qualified host name, lower-cased and without a trailing dot. Internationalised
 * names must already be in Punycode (xn--…).
 */
const LOCALHOST = 'localhost';

export function parseHostName(value: string, path = 'name'): string {
  const name = value.trim().toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw invalid(path, `must be 1–${String(MAX_NAME_LENGTH)} characters`);
  }
  const labels = name.split('.');
  if (labels.length < 2) {
    throw invalid(path, 'must be fully qualified (at least two labels)');
  }
  if (!labels.every((label) => LABEL.test(label))) {
    throw invalid(path, 'labels are 1–63 of a-z, 0-9, "-" or "_", not starting or ending with "-"');
  }
  return name;
}

export function isDnsRecordType(value: string): value is DnsRecordType {
  return (DNS_RECORD_TYPES as readonly string[]).includes(value);
}

function parseContent(type: DnsRecordType, name: string, content: string): string {
  switch (type) {
    case 'A':
      if (!isIPv4(content)) {
        throw invalid('content', 'an A record needs an IPv4 address');
      }
      return content;
    case 'AAAA':
      if (!isIPv6(content)) {
        throw invalid('content', 'an AAAA record needs an IPv6 address');
      }
      return content.toLowerCase();
    case 'CNAME': {
      // `localhost` always means this machine (RFC 6761): the target of every site record
      // when a local run serves sites at `{subdomain}.localhost`.
      const target =
        content.trim().toLowerCase() === LOCALHOST ? LOCALHOST : parseHostName(content, 'content');
      if (target === name) {
        throw invalid('content', 'a CNAME cannot point at itself');
      }
      return target;
    }
    case 'TXT':
      if (content.length > MAX_TXT_LENGTH || !PRINTABLE_ASCII.test(content)) {
        throw invalid(
          'content',
          `TXT content is 1–${String(MAX_TXT_LENGTH)} printable ASCII characters`,
        );
      }
      return content;
  }
}

/** An owner key such as `portfolio=<uuid>`: 1–80 of A-Z a-z 0-9 = . _ - */
export function parseOwner(value: string): string {
  if (!OWNER.test(value)) {
    throw invalid('owner', 'must be 1–80 of A-Z, a-z, 0-9, "=", ".", "_" or "-"');
  }
  return value;
}

/** Validates an upsert and fills its defaults, the same way for every provider. */
export function parseRecordInput(input: UpsertDnsRecordInput): RecordInput {
  if (!isDnsRecordType(input.type)) {
    throw invalid('type', `must be one of ${DNS_RECORD_TYPES.join(', ')}`);
  }
  const name = parseHostName(input.name);
  const content = parseContent(input.type, name, input.content);
  const proxied = input.proxied ?? false;
  if (proxied && input.type === 'TXT') {
    throw invalid('proxied', 'only A, AAAA and CNAME records can be proxied');
  }
  const ttlSeconds = input.ttlSeconds ?? AUTOMATIC_TTL;
  if (
    !Number.isInteger(ttlSeconds) ||
    (ttlSeconds !== AUTOMATIC_TTL && (ttlSeconds < MIN_TTL_SECONDS || ttlSeconds > MAX_TTL_SECONDS))
  ) {
    throw invalid(
      'ttlSeconds',
      `must be ${String(AUTOMATIC_TTL)} (automatic) or ${String(MIN_TTL_SECONDS)}–${String(MAX_TTL_SECONDS)}`,
    );
  }
  // A proxied record's TTL is the proxy's business; storing it as automatic keeps repeated
  // upserts from looking like changes.
  return {
    type: input.type,
    name,
    content,
    ttlSeconds: proxied ? AUTOMATIC_TTL : ttlSeconds,
    proxied,
    owner: parseOwner(input.owner),
  };
}

/** True when the stored record already says what the input asks for, owner included. */
export function matchesInput(
  record: {
    readonly content: string;
    readonly ttlSeconds: number;
    readonly proxied: boolean;
    readonly owner: string | null;
  },
  input: RecordInput,
): boolean {
  return (
    record.content === input.content &&
    record.ttlSeconds === input.ttlSeconds &&
    record.proxied === input.proxied &&
    record.owner === input.owner
  );
}
