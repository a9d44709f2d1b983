import { type Kysely, sql } from 'kysely';

// Webhook endpoints per user, one delivery row per (event, target) and one attempt row per
// HTTP try (R-INT-3). created_at is truncated to milliseconds for exact keyset cursors.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      owner_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2048),
      secret text NOT NULL CHECK (secret ~ '^whsec_'),
      events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 50),
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text CHECK (length(disabled_reason) <= 500),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- A reason only ever explains why an endpoint is off.
      CHECK (NOT enabled OR disabled_reason IS NULL)
    );
    -- Leads with owner_id: serves the foreign key, the owner's keyset list and dispatch.
    CREATE INDEX webhook_endpoints_owner_created_idx
      ON webhook_endpoints (owner_id, created_at DESC, id DESC);

    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      endpoint_id uuid REFERENCES webhook_endpoints (id) ON DELETE SET NULL,
      is_global boolean NOT NULL DEFAULT false,
      target_url text NOT NULL,
      event text NOT NULL CHECK (length(event) BETWEEN 1 AND 100),
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempt_count integer NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
      last_status_code integer CHECK (last_status_code BETWEEN 100 AND 599),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      completed_at timestamptz,
      CHECK (NOT (is_global AND endpoint_id IS NOT NULL))
    );
    -- Serves the foreign key (SET NULL on endpoint delete) and the endpoint's delivery log.
    CREATE INDEX webhook_deliveries_endpoint_created_idx
      ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

    CREATE TABLE webhook_attempts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
      attempt_number integer NOT NULL CHECK (attempt_number > 0),
      status_code integer CHECK (status_code BETWEEN 100 AND 599),
      error text,
      duration_ms integer NOT NULL CHECK (duration_ms >= 0),
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      -- Also the foreign key's index.
      UNIQUE (delivery_id, attempt_number)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE webhook_attempts;
    DROP TABLE webhook_deliveries;
    DROP TABLE webhook_endpoints;
  `.execute(db);
}
