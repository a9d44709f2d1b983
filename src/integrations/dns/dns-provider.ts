/** The record types the service manages. */
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** A TTL of 1 means "automatic" (Cloudflare's convention); proxied records always use it. */
export const AUTOMATIC_TTL = 1;

/**
 * How a record says it is ours (R-SEC-2): Cloudflare's `comment` is this prefix and the owner,
 * e.g. `rolerabbit:portfolio=<uuid>`; the local table keeps the owner in a column.
 */
export const OWNER_MARK_PREFIX = 'rolerabbit:';

export interface DnsRecord {
  readonly id: string;
  readonly type: DnsRecordType;
  /** Fully-qualified, lower-case, without the trailing dot. */
  readonly name: string;
  /** TXT content is the joined text, without the quotes some APIs add. */
  readonly content: string;
  readonly ttlSeconds: number;
  readonly proxied: boolean;
  /** Who in this service created it (`portfolio=<uuid>`); null when we did not create it. */
  readonly owner: string | null;
}

export interface UpsertDnsRecordInput {
  readonly type: DnsRecordType;
  readonly name: string;
  readonly content: string;
  /** @defaultValue 1 (automatic); 60–86400 otherwise. Forced to 1 when proxied. */
  readonly ttlSeconds?: number;
  /** Only for A, AAAA and CNAME. @defaultValue false */
  readonly proxied?: boolean;
  /** Who the record is for (`portfolio=<uuid>`): it is marked with it, and only ever changed for it. */
  readonly owner: string;
}

export interface DnsRecordFilter {
  readonly name?: string;
  readonly type?: DnsRecordType;
}

/**
 * Records in the zone we serve portfolio sites from (R-INT-4, R-SEC-2), as the rest of the
 * service uses them. Every record we write carries its owner's mark, and we change or delete
 * only records marked for that owner: any other record at a name, of any type, ours or not,
 * makes an upsert fail with DnsRecordConflictError naming its type. Among one owner's records,
 * an A, AAAA or CNAME record is identified by type and name (upserting again replaces its
 * content); TXT records by name and content, since several may share a name. An A or AAAA
 * record and a CNAME cannot share a name.
 */
export interface DnsProvider {
  upsertRecord(input: UpsertDnsRecordInput): Promise<DnsRecord>;
  /**
   * Deletes the records at `name` still marked as `owner`'s, as read just before the delete,
   * so a record another owner holds there now is never touched. Returns how many went.
   */
  deleteOwnedRecords(name: string, owner: string): Promise<number>;
  /** Every matching record of the four managed types, in no particular order. */
  listRecords(filter?: DnsRecordFilter): Promise<readonly DnsRecord[]>;
  /** The record of that type and name (for TXT, the oldest one), or undefined. */
  findRecord(type: DnsRecordType, name: string): Promise<DnsRecord | undefined>;
  /** Records carrying no mark and no comment at all: what `dns adopt` may claim. */
  listUnmarkedRecords(filter?: DnsRecordFilter): Promise<readonly DnsRecord[]>;
  /**
   * Marks an unmarked record as `owner`'s when it still has the type, name and content it was
   * listed with and still carries no mark or comment. False when it changed meanwhile.
   */
  adoptRecord(record: DnsRecord, owner: string): Promise<boolean>;
}
