import { type Kysely, sql } from 'kysely';

// Records of the local DNS provider. An address or alias record is unique by name and type;
// TXT records are unique by name and content, since several may share a name. Both unique
// indexes lead with name, so they also serve lookups by name. No foreign keys.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE dns_records (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      type text NOT NULL CHECK (type IN ('A', 'AAAA', 'CNAME', 'TXT')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 253 AND name = lower(name)),
      content text NOT NULL CHECK (octet_length(content) BETWEEN 1 AND 2048),
      ttl_seconds integer NOT NULL DEFAULT 1
        CHECK (ttl_seconds = 1 OR ttl_seconds BETWEEN 60 AND 86400),
      proxied boolean NOT NULL DEFAULT false CHECK (NOT (proxied AND type = 'TXT')),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX dns_records_name_type_key ON dns_records (name, type)
      WHERE type <> 'TXT';
    CREATE UNIQUE INDEX dns_records_txt_name_content_key ON dns_records (name, content)
      WHERE type = 'TXT';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE dns_records`.execute(db);
}
