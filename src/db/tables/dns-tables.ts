import type { ColumnType, Generated } from 'kysely';

/** One record of the local DNS provider (migration 0002; `owner` from 0009). */
export interface DnsRecordsTable {
  id: Generated<string>;
  type: 'A' | 'AAAA' | 'CNAME' | 'TXT';
  name: string;
  content: string;
  ttl_seconds: number;
  proxied: boolean;
  /** `portfolio=<uuid>` for a record written for that portfolio; null: not ours to touch. */
  owner: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Tables of the dns integration, merged into `Database`. */
export interface DnsTables {
  dns_records: DnsRecordsTable;
}
