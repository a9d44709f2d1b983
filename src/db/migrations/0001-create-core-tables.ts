import { type Kysely, sql } from 'kysely';

// created_at is truncated to milliseconds so a keyset cursor, which carries a JS Date,
// compares exactly with the stored value.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
      email text CHECK (length(email) <= 320),
      name text CHECK (length(name) <= 200),
      analytics_opt_out boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE templates (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
      category text NOT NULL CHECK (category IN ('minimal', 'professional', 'creative')),
      description text NOT NULL DEFAULT '',
      thumbnail_url text NOT NULL,
      source text NOT NULL,
      css text NOT NULL,
      palette jsonb NOT NULL,
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE portfolios (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      owner_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      template_id uuid NOT NULL REFERENCES templates (id) ON DELETE RESTRICT,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
      subdomain text CHECK (subdomain ~ '^[a-z0-9]([a-z0-9-]{1,61})[a-z0-9]$'),
      content jsonb NOT NULL,
      visibility text NOT NULL DEFAULT 'private'
        CHECK (visibility IN ('private', 'unlisted', 'public')),
      is_published boolean NOT NULL DEFAULT false,
      published_at timestamptz,
      version integer NOT NULL DEFAULT 1 CHECK (version > 0),
      deleted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- Leads with owner_id, so it also serves the foreign key (cascade deletes) and the
    -- owner's keyset-paginated list.
    CREATE INDEX portfolios_owner_created_idx ON portfolios (owner_id, created_at DESC, id DESC);
    CREATE INDEX portfolios_template_id_idx ON portfolios (template_id);
    -- A deleted portfolio releases its slug and subdomain.
    CREATE UNIQUE INDEX portfolios_owner_slug_key ON portfolios (owner_id, slug)
      WHERE deleted_at IS NULL;
    CREATE UNIQUE INDEX portfolios_subdomain_key ON portfolios (subdomain)
      WHERE deleted_at IS NULL AND subdomain IS NOT NULL;

    CREATE TABLE portfolio_versions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      portfolio_id uuid NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version > 0),
      title text NOT NULL,
      template_id uuid NOT NULL REFERENCES templates (id) ON DELETE RESTRICT,
      content jsonb NOT NULL,
      author_id text REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
      archived_at timestamptz,
      UNIQUE (portfolio_id, version)
    );
    CREATE INDEX portfolio_versions_template_id_idx ON portfolio_versions (template_id);
    CREATE INDEX portfolio_versions_author_id_idx ON portfolio_versions (author_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE portfolio_versions;
    DROP TABLE portfolios;
    DROP TABLE templates;
    DROP TABLE users;
  `.execute(db);
}
