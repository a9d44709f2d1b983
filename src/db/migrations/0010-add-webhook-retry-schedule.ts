import { type Kysely, sql } from 'kysely';

// Webhook deliveries follow a retry schedule over about a day (R-SEC-3). The next attempt's
// time lives here, not only in Redis, so a sweep can queue again a due delivery whose job
// was lost. `run` numbers the jobs of one delivery (job id `<delivery>-<run>`): a job whose
// run is not the delivery's current one is stale and does nothing. Endpoints remember since
// when no attempt has succeeded, to disable one that has failed for days; the operator's
// global endpoint is never disabled, so its failing streak is kept by URL instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE webhook_deliveries
      ADD COLUMN next_attempt_at timestamptz DEFAULT now(),
      ADD COLUMN schedule_attempts integer NOT NULL DEFAULT 0 CHECK (schedule_attempts >= 0),
      ADD COLUMN run integer NOT NULL DEFAULT 0 CHECK (run >= 0);
    UPDATE webhook_deliveries SET next_attempt_at = NULL WHERE status <> 'pending';
    ALTER TABLE webhook_deliveries
      ADD CONSTRAINT webhook_deliveries_next_attempt_check
        CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL));
    CREATE INDEX webhook_deliveries_due_idx
      ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

    ALTER TABLE webhook_endpoints
      ADD COLUMN failing_since timestamptz,
      ADD COLUMN disabled_at timestamptz;

    CREATE TABLE webhook_operator_targets (
      url text PRIMARY KEY CHECK (length(url) <= 2048),
      failing_since timestamptz,
      alerted_at timestamptz
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE webhook_operator_targets;
    ALTER TABLE webhook_endpoints DROP COLUMN failing_since, DROP COLUMN disabled_at;
    DROP INDEX webhook_deliveries_due_idx;
    ALTER TABLE webhook_deliveries
      DROP CONSTRAINT webhook_deliveries_next_attempt_check,
      DROP COLUMN next_attempt_at,
      DROP COLUMN schedule_attempts,
      DROP COLUMN run;
  `.execute(db);
}
