import { type Kysely, sql } from 'kysely';

// The transactional outbox (R-JOB-1): a request inserts its business rows and the job that
// acts on them in one transaction; a relay moves unsent rows to BullMQ. The partial index
// keeps the relay's sweep cheap however many sent rows remain; the unique one makes a
// repeated enqueue of the same job (name, id) a no-op while it is still waiting.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE job_outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      job_name text NOT NULL CHECK (job_name ~ '^[a-z][a-z0-9_]*([.][a-z][a-z0-9_]*)+$'),
      job_id text NOT NULL CHECK (length(job_id) BETWEEN 1 AND 200),
      payload jsonb NOT NULL,
      available_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      last_error text CHECK (length(last_error) <= 1000),
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    );
    CREATE INDEX job_outbox_unsent_idx ON job_outbox (available_at, id) WHERE sent_at IS NULL;
    CREATE UNIQUE INDEX job_outbox_unsent_job_key ON job_outbox (job_name, job_id)
      WHERE sent_at IS NULL;
    CREATE INDEX job_outbox_sent_idx ON job_outbox (sent_at) WHERE sent_at IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE job_outbox`.execute(db);
}
