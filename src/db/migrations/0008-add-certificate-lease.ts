import { type Kysely, sql } from 'kysely';

// A certificate is issued outside any transaction (R-SEC-1: an ACME order may take two
// minutes, and a row lock held that long stalls every writer of the domain). Instead, the
// run that issues takes a lease on the domain row in a short transaction, issues, and records
// the result only while its lease holds; a lease left by a crashed run lapses on its own.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE custom_domains
      ADD COLUMN certificate_lease_token uuid,
      ADD COLUMN certificate_lease_until timestamptz,
      ADD CHECK ((certificate_lease_token IS NULL) = (certificate_lease_until IS NULL))
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE custom_domains
      DROP COLUMN certificate_lease_token,
      DROP COLUMN certificate_lease_until
  `.execute(db);
}
