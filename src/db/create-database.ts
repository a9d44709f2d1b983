import { Kysely, type LogEvent, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

import type { Config } from '../config/env.ts';
import type { Database } from './database-types.ts';

export type PostgresConfig = Config['postgres'];

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  /** Round trip used by readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** pg pool options from config. No session state is set, so a transaction pooler works. */
export function createPoolConfig(
  config: PostgresConfig,
  connectionString: string,
  max = config.poolMax,
): pg.PoolConfig {
  return {
    connectionString,
    max,
    idleTimeoutMillis: config.idleTimeoutMs,
    connectionTimeoutMillis: config.connectionTimeoutMs,
    application_name: config.applicationName,
    // Sent as a startup parameter, not a session SET; 0 leaves it to the server or role.
    ...(config.statementTimeoutMs > 0 ? { statement_timeout: config.statementTimeoutMs } : {}),
  };
}

function createQueryLogger(config: PostgresConfig, logger: Logger) {
  return (event: LogEvent): void => {
    const durationMs = Math.round(event.queryDurationMillis);
    // The SQL text only: parameters may hold personal data.
    const sqlText = event.query.sql;
    if (event.level === 'error') {
      logger.warn({ durationMs, sql: sqlText, err: event.error }, 'query failed');
    } else if (durationMs >= config.slowQueryMs) {
      logger.warn({ durationMs, sql: sqlText }, 'slow query');
    }
  };
}

/** Builds the query pool. Connects lazily: nothing happens until the first query. */
export function createDatabase(config: PostgresConfig, logger: Logger): DatabaseHandle {
  const pool = new pg.Pool(createPoolConfig(config, config.url));
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', (err) => {
    logger.warn({ err }, 'idle PostgreSQL connection closed');
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: createQueryLogger(config, logger),
  });
  let closed = false;
  return {
    db,
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      if (!closed) {
        closed = true;
        await db.destroy();
      }
    },
  };
}
