import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { loadConfig, readEnvironment } from '../../../src/config/env.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { MIGRATIONS } from '../../../src/db/migrations/index.ts';
import {
  cloneDatabase,
  dropDatabase,
  serverUrl,
  uniqueDatabaseName,
} from '../../setup/test-databases.ts';

const silent = pino({ level: 'silent' });
const created: string[] = [];

afterAll(async () => {
  await Promise.all(created.map((name) => dropDatabase(name)));
});

function configFor(database: string) {
  return loadConfig({
    ...readEnvironment(),
    DATABASE_URL: serverUrl(database),
    DATABASE_DIRECT_URL: serverUrl(database),
  }).postgres;
}

async function withDatabase<T>(database: string, work: (db: Kysely<unknown>) => Promise<T>) {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: serverUrl(database), max: 1 }),
    }),
  });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** Foreign keys in public with no plain index whose leading columns are exactly theirs. */
async function findUnindexedForeignKeys(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ constraint: string }>`
    SELECT c.conrelid::regclass::text || '.' || c.conname AS constraint
    FROM pg_constraint c
    WHERE c.contype = 'f'
      AND c.connamespace = 'public'::regnamespace
      AND NOT EXISTS (
        SELECT 1 FROM pg_index i
        WHERE i.indrelid = c.conrelid
          AND i.indpred IS NULL
          AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
          AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
      )
    ORDER BY 1
  `.execute(db);
  return rows.map((row) => row.constraint);
}

async function clonedDatabase(): Promise<string> {
  const database = uniqueDatabaseName('db');
  created.push(database);
  await cloneDatabase(inject('templateDatabase'), database);
  return database;
}

describe('schema (R-PERF-3)', () => {
  it('has an index led by the columns of every foreign key', async () => {
    const database = await clonedDatabase();

    const { unindexed, total } = await withDatabase(database, async (db) => ({
      unindexed: await findUnindexedForeignKeys(db),
      total: await sql<{ count: string }>`
        SELECT count(*) AS count FROM pg_constraint
        WHERE contype = 'f' AND connamespace = 'public'::regnamespace
      `.execute(db),
    }));

    expect(Number(total.rows[0]?.count)).toBeGreaterThanOrEqual(5);
    expect(unindexed).toEqual([]);
  });

  it('catches a foreign key without an index (the check itself can fail)', async () => {
    const database = await clonedDatabase();

    const unindexed = await withDatabase(database, async (db) => {
      await sql`CREATE TABLE probe (id int PRIMARY KEY, owner_id text REFERENCES users (id))`.execute(
        db,
      );
      return findUnindexedForeignKeys(db);
    });

    expect(unindexed).toEqual(['probe.probe_owner_id_fkey']);
  });
});

describe(migrateToLatest.name, () => {
  it('creates a missing database, and two processes migrating together both succeed', async () => {
    const database = uniqueDatabaseName('db');
    created.push(database);
    const config = configFor(database);

    const outcomes = await Promise.all([
      migrateToLatest(config, silent),
      migrateToLatest(config, silent),
    ]);

    const applied = outcomes.flatMap((outcome) => outcome.applied);
    expect(applied).toEqual(Object.keys(MIGRATIONS));
    const recorded = await withDatabase(database, (db) =>
      sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db),
    );
    expect(recorded.rows.map((row) => row.name)).toEqual(Object.keys(MIGRATIONS));
  });

  it('is idempotent: a second run applies nothing', async () => {
    const database = uniqueDatabaseName('db');
    created.push(database);
    const config = configFor(database);
    await migrateToLatest(config, silent);

    const second = await migrateToLatest(config, silent);

    expect(second.applied).toEqual([]);
  });
});
