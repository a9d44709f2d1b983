import { type Kysely, sql } from 'kysely';

// Deployments (R-JOB-2 … R-JOB-5, R-PLAT-3): one row per requested deployment, one row per
// finished step (what a retry skips), a log, the portfolio's live pointer, and the custom
// domains a portfolio is served at once verified.
//
// The partial unique index allows one unfinished deployment per portfolio, so two requests
// racing each other end with one deployment, not two.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE deployments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      portfolio_id uuid NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
      requested_by text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      portfolio_version integer NOT NULL CHECK (portfolio_version > 0),
      status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN (
        'QUEUED', 'VALIDATING', 'BUILDING', 'UPLOADING', 'CONFIGURING', 'DEPLOYED', 'FAILED')),
      current_step text CHECK (current_step IN (
        'VALIDATING', 'BUILDING', 'UPLOADING', 'CONFIGURING', 'ACTIVATING')),
      progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
      attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
      subdomain text CHECK (length(subdomain) BETWEEN 1 AND 63),
      domain text CHECK (length(domain) BETWEEN 1 AND 253),
      site_url text CHECK (length(site_url) <= 2048),
      content_hash text CHECK (content_hash ~ '^[0-9a-f]{64}$'),
      site_manifest jsonb,
      error_code text CHECK (length(error_code) <= 100),
      error_message text CHECK (length(error_message) <= 1000),
      queued_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      started_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status IN ('DEPLOYED', 'FAILED')) = (finished_at IS NOT NULL))
    );
    -- Serves the foreign key and the portfolio's newest-first deployment list.
    CREATE INDEX deployments_portfolio_queued_idx
      ON deployments (portfolio_id, queued_at DESC, id DESC);
    CREATE INDEX deployments_requested_by_idx ON deployments (requested_by);
    CREATE UNIQUE INDEX deployments_one_unfinished_per_portfolio
      ON deployments (portfolio_id) WHERE status NOT IN ('DEPLOYED', 'FAILED');

    CREATE TABLE deployment_steps (
      deployment_id uuid NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      step text NOT NULL CHECK (step IN (
        'VALIDATING', 'BUILDING', 'UPLOADING', 'CONFIGURING', 'ACTIVATING')),
      -- What a later step or a retry needs from this one (e.g. the uploaded files).
      result jsonb NOT NULL DEFAULT '{}'::jsonb,
      attempt integer NOT NULL CHECK (attempt > 0),
      finished_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (deployment_id, step)
    );

    CREATE TABLE deployment_logs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      deployment_id uuid NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
      step text CHECK (length(step) <= 50),
      level text NOT NULL CHECK (level IN ('info', 'warn', 'error')),
      message text NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX deployment_logs_deployment_idx ON deployment_logs (deployment_id, id);

    ALTER TABLE portfolios
      ADD COLUMN live_deployment_id uuid REFERENCES deployments (id) ON DELETE SET NULL;
    CREATE INDEX portfolios_live_deployment_idx ON portfolios (live_deployment_id);

    CREATE TABLE custom_domains (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      portfolio_id uuid NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
      owner_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      domain text NOT NULL UNIQUE CHECK (domain = lower(domain) AND length(domain) <= 253),
      verification_token text NOT NULL CHECK (length(verification_token) BETWEEN 32 AND 128),
      verified_at timestamptz,
      certificate_chain_key text CHECK (length(certificate_chain_key) <= 1024),
      certificate_key_key text CHECK (length(certificate_key_key) <= 1024),
      certificate_not_after timestamptz,
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX custom_domains_portfolio_idx ON custom_domains (portfolio_id);
    CREATE INDEX custom_domains_owner_idx ON custom_domains (owner_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE custom_domains;
    ALTER TABLE portfolios DROP COLUMN live_deployment_id;
    DROP TABLE deployment_logs;
    DROP TABLE deployment_steps;
    DROP TABLE deployments;
  `.execute(db);
}
