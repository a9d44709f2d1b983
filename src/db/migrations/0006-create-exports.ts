import { type Kysely, sql } from 'kysely';

// PDF exports (R-JOB-6, R-JOB-7): one row per export, rendered in the request or by the
// `export.render` job; the file lives in the `exports` bucket under `storage_key`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE exports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      portfolio_id uuid NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
      requested_by text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      portfolio_version integer NOT NULL CHECK (portfolio_version > 0),
      format text NOT NULL DEFAULT 'pdf' CHECK (format IN ('pdf')),
      page_size text NOT NULL DEFAULT 'A4' CHECK (page_size IN ('A4', 'Letter')),
      status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN (
        'QUEUED', 'RENDERING', 'UPLOADING', 'READY', 'FAILED')),
      progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
      attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
      page_count integer CHECK (page_count > 0),
      byte_size bigint CHECK (byte_size > 0),
      storage_key text CHECK (length(storage_key) <= 1024),
      expires_at timestamptz,
      error_code text CHECK (length(error_code) <= 100),
      error_message text CHECK (length(error_message) <= 1000),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      started_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status IN ('READY', 'FAILED')) = (finished_at IS NOT NULL)),
      CHECK (status <> 'READY' OR (storage_key IS NOT NULL AND expires_at IS NOT NULL))
    );
    -- Serves the foreign key and the portfolio's newest-first export list.
    CREATE INDEX exports_portfolio_created_idx ON exports (portfolio_id, created_at DESC, id DESC);
    CREATE INDEX exports_requested_by_idx ON exports (requested_by);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE exports`.execute(db);
}
