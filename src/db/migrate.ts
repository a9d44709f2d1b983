import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

import type { PostgresConfig } from './create-database.ts';
import { createPoolConfig } from './create-database.ts';
import { MIGRATIONS } from './migrations/index.ts';

const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';
// Arbitrary but fixed: every process that migrates this database takes the same lock.
const MIGRATION_LOCK_KEY = 724_517_001;

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Creates the target database when it does not exist yet, through the server's `postgres`
 * maintenance database. Two processes racing here both succeed.
 */
export async function ensureDatabaseExists(
  config: PostgresConfig,
  logger: Logger,
): Promise<boolean> {
  const target = new URL(config.directUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (name === '') {
    throw new Error('DATABASE_DIRECT_URL (or DATABASE_URL) must name a database');
  }
  const maintenance = new URL(target);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount !== 0) {
      return false;
    }
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    logger.info({ database: name }, 'database created');
    return true;
  } catch (err) {
    const code = errorCode(err);
    if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) {
      return false;
    }
    throw err;
  } finally {
    await client.end();
  }
}

export interface MigrationOutcome {
  readonly applied: readonly string[];
}

/**
 * Applies every pending migration over the direct (session) connection, holding a session
 * advisory lock so processes that start together run them one after the other.
 */
export async function migrateToLatest(
  config: PostgresConfig,
  logger: Logger,
): Promise<MigrationOutcome> {
  await ensureDatabaseExists(config, logger);
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool(createPoolConfig(config, config.directUrl, 1)),
    }),
  });
  try {
    return await db.connection().execute(async (connection) => {
      await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
      try {
        const migrator = new Migrator({
          db: connection,
          provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
        });
        const { error, results = [] } = await migrator.migrateToLatest();
        const failed = results.find((result) => result.status === 'Error');
        if (error !== undefined || failed !== undefined) {
          throw new Error(`migration ${failed?.migrationName ?? '(setup)'} failed`, {
            cause: error,
          });
        }
        const applied = results.map((result) => result.migrationName);
        logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'schema up to date');
        return { applied };
      } finally {
        await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
      }
    });
  } finally {
    await db.destroy();
  }
}
