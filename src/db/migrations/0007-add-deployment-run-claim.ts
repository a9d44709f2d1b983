import { type Kysely, sql } from 'kysely';

// One run owns a deployment at a time. A worker that lost its BullMQ lock may keep running
// while the stalled job runs again elsewhere; each run claims the deployment with a fresh
// token when it starts, and every later write of that run requires the token to still be
// its own, so the older run stops at its next write instead of overlapping the newer one.
// Row-level and transaction-scoped: safe behind a transaction-mode pooler.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE deployments ADD COLUMN run_token uuid`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE deployments DROP COLUMN run_token`.execute(db);
}
