import { Kysely, type LogEvent, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

import type { Config } from '../config/env.ts';
import { findTransientDatabaseCause, translateDatabaseError } from './database-errors.ts';
import type { Database } from './database-types.ts';
import { assertOutsideTransaction, guardTransactionsOf } from './transaction-scope.ts';

export type PostgresConfig = Config['postgres'];

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  /** Round trip used by readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What the pool and the query log report, for metrics (R-PERF-9, R-SEC-1). */
export interface DatabaseObserver {
  /** Every statement that finished, with its duration. */
  onQuery(durationMs: number, failed: boolean): void;
  /** A checkout found every connection busy and had to queue. */
  onPoolWait(): void;
  /** A checkout or a statement gave up: `pool` (acquire timeout) or `statement`. */
  onTimeout(kind: 'pool' | 'statement'): void;
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

function createQueryLogger(config: PostgresConfig, logger: Logger, observer?: DatabaseObserver) {
  return (event: LogEvent): void => {
    const durationMs = Math.round(event.queryDurationMillis);
    observer?.onQuery(event.queryDurationMillis, event.level === 'error');
    // The SQL text only: parameters may hold personal data.
    const sqlText = event.query.sql;
    if (event.level === 'error') {
      if (findTransientDatabaseCause(event.error) === 'statement timeout') {
        observer?.onTimeout('statement');
      }
      logger.warn({ durationMs, sql: sqlText, err: event.error }, 'query failed');
    } else if (durationMs >= config.slowQueryMs) {
      logger.warn({ durationMs, sql: sqlText }, 'slow query');
    }
  };
}

/**
 * The pool as Kysely sees it. A checkout inside a guarded transaction throws at once instead
 * of joining the queue it may never leave; an acquire timeout becomes a 503-mapped error.
 */
function checkedPool(pool: pg.Pool, max: number, observer?: DatabaseObserver): PostgresPool {
  return {
    async connect() {
      assertOutsideTransaction('a second pool connection was requested');
      if (pool.idleCount === 0 && pool.totalCount >= max) {
        observer?.onPoolWait();
      }
      try {
        return await pool.connect();
      } catch (err) {
        const unavailable = translateDatabaseError(err);
        if (unavailable === undefined) {
          throw err;
        }
        if (findTransientDatabaseCause(err) === 'pool acquire timeout') {
          observer?.onTimeout('pool');
        }
        throw unavailable;
      }
    },
    end: () => pool.end(),
  };
}

export interface CreateDatabaseOptions {
  /**
   * Throw when code inside a transaction takes a second connection (R-SEC-1).
   * @defaultValue false
   */
  readonly guardTransactions?: boolean;
  readonly observer?: DatabaseObserver;
}

/** Builds the query pool. Connects lazily: nothing happens until the first query. */
export function createDatabase(
  config: PostgresConfig,
  logger: Logger,
  options: CreateDatabaseOptions = {},
): DatabaseHandle {
  const pool = new pg.Pool(createPoolConfig(config, config.url));
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', (err) => {
    logger.warn({ err }, 'idle PostgreSQL connection closed');
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: checkedPool(pool, config.poolMax, options.observer) }),
    log: createQueryLogger(config, logger, options.observer),
  });
  if (options.guardTransactions === true) {
    guardTransactionsOf(db);
  }
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
