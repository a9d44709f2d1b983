import { existsSync } from 'node:fs';

import { z } from 'zod';

import { type AuthConfig, authEnvShape, buildAuthConfig } from './auth-env.ts';
import type { ConfigProblem } from './config-problem.ts';
import { buildHttpConfig, httpEnvShape, type HttpTimeoutsConfig } from './http-env.ts';
import {
  buildIntegrationsConfig,
  type IntegrationsConfig,
  integrationsEnvShape,
} from './integrations-env.ts';
import { buildJobsConfig, type JobsConfig, jobsEnvShape } from './jobs-env.ts';
import { buildLinksConfig, type LinksConfig, linksEnvShape } from './links-env.ts';
import { buildPostgresConfig, type PostgresConfig, postgresEnvShape } from './postgres-env.ts';
import { buildSitesConfig, type SitesConfig, sitesEnvShape } from './sites-env.ts';

export const DEVELOPMENT_SIGNING_SECRET =
  'rolerabbit-local-development-signing-secret-not-for-prod';

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const milliseconds = integer(0, 24 * 60 * 60 * 1000);
const redisUrl = z.url({ protocol: /^rediss?$/ });

/** Every variable we read, by its own name, so each problem names the variable. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: integer(0, 65_535).default(3000),
  APP_URL: z.url({ protocol: /^https?$/ }).optional(),
  BASE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'a lower-case host name such as rolerabbit.com')
    .default('localhost'),
  HTTP_BODY_LIMIT_BYTES: integer(1024, 50 * 1024 * 1024).default(1024 * 1024),
  SHUTDOWN_GRACE_MS: milliseconds.default(10_000),
  ...httpEnvShape,
  ...sitesEnvShape,

  ...postgresEnvShape,

  REDIS_URL: redisUrl.optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,32}$/)
    .default('rr:'),
  UPSTASH_REDIS_REST_URL: z.string().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),

  ...authEnvShape,
  ...linksEnvShape,

  SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),

  ...integrationsEnvShape,
  ...jobsEnvShape,
});

/** Every environment variable the service reads (aliases aside). */
export function listConfigVariables(): string[] {
  return Object.keys(envSchema.shape);
}

export type RawEnv = Readonly<Record<string, string | undefined>>;

/**
 * Loads `.env.local` then `.env` from the working directory into the process environment,
 * when present. Variables already set win, then the first file that sets one.
 */
export function loadEnvFiles(files: readonly string[] = ['.env.local', '.env']): string[] {
  const loaded: string[] = [];
  for (const file of files) {
    if (existsSync(file)) {
      process.loadEnvFile(file);
      loaded.push(file);
    }
  }
  return loaded;
}

/** The process environment; tests layer their overrides on top instead of mutating it. */
export function readEnvironment(): RawEnv {
  return process.env;
}

/** Names accepted beside ours so an existing `.env.local` of the original guide keeps working. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  APP_URL: ['NEXT_PUBLIC_APP_URL'],
  BASE_DOMAIN: ['NEXT_PUBLIC_BASE_DOMAIN'],
  AUTH_JWT_SECRET: ['SUPABASE_JWT_SECRET'],
};

export type { ConfigProblem };

/** Thrown by {@link loadConfig} with every invalid variable, so one start-up shows them all. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly log: { readonly level: z.infer<typeof envSchema>['LOG_LEVEL'] };
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** Public URL of the API, used in links and printed at start-up. */
    readonly publicUrl: string;
    readonly bodyLimitBytes: number;
    readonly shutdownGraceMs: number;
    readonly timeouts: HttpTimeoutsConfig;
  };
  readonly sites: SitesConfig & { readonly baseDomain: string; readonly hostsRefreshMs: number };
  readonly postgres: PostgresConfig;
  readonly redis: { readonly url: string; readonly keyPrefix: string };
  readonly auth: AuthConfig;
  readonly links: LinksConfig;
  readonly signing: { readonly secret: string };
  readonly integrations: IntegrationsConfig;
  readonly jobs: JobsConfig;
}

function withAliases(env: RawEnv): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    // An empty value in a .env file means "not set", not "set to nothing".
    resolved[name] = value === '' ? undefined : value;
  }
  for (const [name, aliases] of Object.entries(ALIASES)) {
    resolved[name] ??= aliases.map((alias) => resolved[alias]).find((v) => v !== undefined);
  }
  return resolved;
}

function crossFieldProblems(parsed: z.infer<typeof envSchema>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const production = parsed.NODE_ENV === 'production';
  if (parsed.REDIS_URL === undefined && parsed.UPSTASH_REDIS_REST_URL !== undefined) {
    problems.push({
      variable: 'REDIS_URL',
      message:
        'UPSTASH_REDIS_REST_URL cannot carry BullMQ (it needs a TCP connection); set REDIS_URL to ' +
        "the database's rediss:// URL from the Upstash console instead",
    });
  }
  if (
    production &&
    (parsed.SIGNING_SECRET ?? DEVELOPMENT_SIGNING_SECRET) === DEVELOPMENT_SIGNING_SECRET
  ) {
    problems.push({
      variable: 'SIGNING_SECRET',
      message: 'production needs its own secret of 32+ characters',
    });
  }
  if (production && parsed.WEBHOOKS_ALLOW_PRIVATE_TARGETS) {
    problems.push({
      variable: 'WEBHOOKS_ALLOW_PRIVATE_TARGETS',
      message: 'is for local development; production webhooks may reach public addresses only',
    });
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses the environment into the typed, frozen {@link Config}. Throws {@link ConfigError}
 * listing every invalid variable. Tests pass an explicit env instead of touching process.env.
 */
export function loadConfig(env: RawEnv = process.env): Config {
  const result = envSchema.safeParse(withAliases(env));
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: typeof issue.path[0] === 'string' ? issue.path[0] : '(environment)',
        message: issue.message,
      })),
    );
  }
  const parsed = result.data;
  const production = parsed.NODE_ENV === 'production';
  const auth = buildAuthConfig(parsed, production);
  const links = buildLinksConfig(parsed);
  const integrations = buildIntegrationsConfig(parsed);
  const jobs = buildJobsConfig(parsed);
  const http = buildHttpConfig(parsed);
  const sites = buildSitesConfig(parsed);
  const problems = [
    ...crossFieldProblems(parsed),
    ...http.problems,
    ...sites.problems,
    ...auth.problems,
    ...links.problems,
    ...integrations.problems,
    ...jobs.problems,
  ];
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }

  const port = parsed.PORT;
  return deepFreeze({
    env: parsed.NODE_ENV,
    log: { level: parsed.LOG_LEVEL },
    http: {
      host: parsed.HOST,
      port,
      publicUrl: (parsed.APP_URL ?? `http://localhost:${String(port)}`).replace(/\/+$/, ''),
      bodyLimitBytes: parsed.HTTP_BODY_LIMIT_BYTES,
      shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
      timeouts: http.config.timeouts,
    },
    sites: {
      baseDomain: parsed.BASE_DOMAIN,
      hostsRefreshMs: http.config.siteHostsRefreshMs,
      ...sites.config,
    },
    postgres: buildPostgresConfig(parsed, production),
    redis: {
      url: parsed.REDIS_URL ?? 'redis://127.0.0.1:6379',
      keyPrefix: parsed.REDIS_KEY_PREFIX,
    },
    auth: auth.config,
    links: links.config,
    signing: { secret: parsed.SIGNING_SECRET ?? DEVELOPMENT_SIGNING_SECRET },
    integrations: integrations.config,
    jobs: jobs.config,
  });
}
