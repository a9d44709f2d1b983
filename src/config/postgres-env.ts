import { z } from 'zod';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/rolerabbit';

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const milliseconds = integer(0, 24 * 60 * 60 * 1000);
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/ });

/** PostgreSQL: URLs, pool and timeouts (R-PERF-9, R-PERF-10, R-SEC-1). */
export const postgresEnvShape = {
  DATABASE_URL: postgresUrl.default(DEFAULT_DATABASE_URL),
  DATABASE_DIRECT_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: integer(1, 200).default(4),
  DATABASE_IDLE_TIMEOUT_MS: milliseconds.default(10_000),
  DATABASE_CONNECTION_TIMEOUT_MS: milliseconds.default(5_000),
  DATABASE_STATEMENT_TIMEOUT_MS: milliseconds.default(15_000),
  DATABASE_APPLICATION_NAME: z.string().min(1).max(63).default('rolerabbit'),
  DATABASE_SLOW_QUERY_MS: milliseconds.default(200),
  /** Throw when code holding a transaction asks for another connection; default: on outside production. */
  DATABASE_GUARD_TRANSACTIONS: z.stringbool().optional(),
};

export type PostgresEnv = z.infer<z.ZodObject<typeof postgresEnvShape>>;

export interface PostgresConfig {
  /** Used for queries; may be a transaction-mode pooler. */
  readonly url: string;
  /** A direct session connection, for migrations and advisory locks. */
  readonly directUrl: string;
  readonly poolMax: number;
  readonly idleTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  /** 0 sends no statement_timeout (set it on the role behind poolers that reject it). */
  readonly statementTimeoutMs: number;
  readonly applicationName: string;
  readonly slowQueryMs: number;
  /** See {@link postgresEnvShape}: a test-time check, costly on Node 20 in production. */
  readonly guardTransactions: boolean;
}

export function buildPostgresConfig(env: PostgresEnv, production: boolean): PostgresConfig {
  return {
    url: env.DATABASE_URL,
    directUrl: env.DATABASE_DIRECT_URL ?? env.DATABASE_URL,
    poolMax: env.DATABASE_POOL_MAX,
    idleTimeoutMs: env.DATABASE_IDLE_TIMEOUT_MS,
    connectionTimeoutMs: env.DATABASE_CONNECTION_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: env.DATABASE_APPLICATION_NAME,
    slowQueryMs: env.DATABASE_SLOW_QUERY_MS,
    guardTransactions: env.DATABASE_GUARD_TRANSACTIONS ?? !production,
  };
}
