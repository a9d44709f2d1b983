import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { loadConfig, readEnvironment } from '../../src/config/env.ts';

/** Prefix of every database the tests create; stale ones from killed runs are dropped. */
export const TEST_DATABASE_PREFIX = 'rr_test_';

/** The server the tests use: the configured DATABASE_URL's host, without its database. */
export function serverUrl(database: string): string {
  const url = new URL(loadConfig(readEnvironment()).postgres.directUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function uniqueDatabaseName(kind: 'tpl' | 'db'): string {
  // The creation time in the name lets a later run recognise and drop leftovers.
  return `${TEST_DATABASE_PREFIX}${kind}_${String(Date.now())}_${randomBytes(4).toString('hex')}`;
}

export async function withMaintenanceClient<T>(work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: serverUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await withMaintenanceClient((client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

export async function cloneDatabase(template: string, name: string): Promise<void> {
  await withMaintenanceClient((client) =>
    client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`),
  );
}

/** Drops test databases older than an hour, left behind by runs that were killed. */
export async function dropStaleTestDatabases(): Promise<void> {
  const cutoff = Date.now() - 60 * 60 * 1000;
  const { rows } = await withMaintenanceClient((client) =>
    client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${TEST_DATABASE_PREFIX}%`,
    ]),
  );
  for (const { datname } of rows) {
    const createdAt = Number(datname.split('_')[3]);
    if (Number.isFinite(createdAt) && createdAt < cutoff) {
      await dropDatabase(datname);
    }
  }
}
