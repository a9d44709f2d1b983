import { type Kysely, sql } from 'kysely';

// R-SEC-2: the service changes and deletes only DNS records it created, and knows for whom.
// `owner` is the same key the Cloudflare adapter writes after `rolerabbit:` in a record's
// comment (`portfolio=<uuid>`); NULL means a record the service must not touch. Existing rows
// were all written for portfolio sites: a CNAME whose first label is a portfolio's subdomain
// is that portfolio's (the base domain is configuration, not data, so only the label is
// compared), preferring the live portfolio, else the one that released the name last.
// Lookups by name and owner use the indexes of 0002, which lead with name.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE dns_records
      ADD COLUMN owner text CHECK (owner ~ '^[A-Za-z0-9=._-]{1,80}$')
  `.execute(db);
  await sql`
    UPDATE dns_records AS record
       SET owner = 'portfolio=' || portfolio.id
      FROM portfolios AS portfolio
     WHERE record.type = 'CNAME'
       AND portfolio.deleted_at IS NULL
       AND portfolio.subdomain = split_part(record.name, '.', 1)
  `.execute(db);
  await sql`
    UPDATE dns_records AS record
       SET owner = 'portfolio=' || released.id
      FROM (
        SELECT DISTINCT ON (subdomain) id, subdomain
          FROM portfolios
         WHERE deleted_at IS NOT NULL AND subdomain IS NOT NULL
         ORDER BY subdomain, deleted_at DESC, id
      ) AS released
     WHERE record.type = 'CNAME'
       AND record.owner IS NULL
       AND released.subdomain = split_part(record.name, '.', 1)
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE dns_records DROP COLUMN owner`.execute(db);
}
