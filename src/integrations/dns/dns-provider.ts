/** The record types the service manages. */
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** A TTL of 1 means "automatic" (Cloudflare's convention); proxied records always use it. */
export const AUTOMATIC_TTL = 1;

export interface DnsRecord {
  readonly id: string;
  readonly type: DnsRecordType;
  /** Fully-qualified, lower-case, without the trailing dot. */
  readonly name: string;
  /** TXT content is the joined text, without the quotes some APIs add. */
  readonly content: string;
  readonly ttlSeconds: number;
  readonly proxied: boolean;
}

export interface UpsertDnsRecordInput {
  readonly type: DnsRecordType;
  readonly name: string;
  readonly content: string;
  /** @defaultValue 1 (automatic); 60–86400 otherwise. Forced to 1 when proxied. */
  readonly ttlSeconds?: number;
  /** Only for A, AAAA and CNAME. @defaultValue false */
  readonly proxied?: boolean;
}

export interface DnsRecordFilter {
  readonly name?: string;
  readonly type?: DnsRecordType;
}

/**
 * Records in the zone we serve portfolio sites from (R-INT-4), as the rest of the service
 * uses them. An A, AAAA or CNAME record is identified by type and name: upserting it again
 * replaces its content, so there is at most one per type and name. TXT records are
 * identified by name and content, because several may legitimately share a name (ACME
 * challenges, verification tokens); upserting an identical TXT record only refreshes its TTL.
 * An A or AAAA record and a CNAME cannot share a name (ConflictError).
 */
export interface DnsProvider {
  upsertRecord(input: UpsertDnsRecordInput): Promise<DnsRecord>;
  /** Deleting a record that does not exist (any more) is not an error. */
  deleteRecord(id: string): Promise<void>;
  /** Every matching record of the four managed types, in no particular order. */
  listRecords(filter?: DnsRecordFilter): Promise<readonly DnsRecord[]>;
  /** The record of that type and name (for TXT, the oldest one), or undefined. */
  findRecord(type: DnsRecordType, name: string): Promise<DnsRecord | undefined>;
}
