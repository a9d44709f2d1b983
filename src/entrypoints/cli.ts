import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';

import type { Logger } from 'pino';

import { type Config, ConfigError, loadConfig, loadEnvFiles } from '../config/env.ts';
import { describeActiveDrivers } from '../config/integrations-env.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { DEMO_USER, seedDemoData } from '../features/demo/seed-demo-data.ts';
import { signDevelopmentToken } from '../http/auth/sign-development-token.ts';
import { SCHEDULE_CATALOG } from '../schedules/schedule-catalog.ts';
import { createDeps, type Deps } from '../wiring/create-deps.ts';
import { createLogger } from '../wiring/create-logger.ts';
import { reportReservedSubdomainsInUse } from '../wiring/report-reserved-subdomains.ts';
import { runDnsCommand } from '../wiring/run-dns-command.ts';
import { startHttpServer } from '../wiring/start-http-server.ts';
import { startJobProcessing } from '../wiring/start-job-processing.ts';
import { warnAboutQueueDurability } from '../wiring/warn-about-queue-durability.ts';

const ROLES = ['serve', 'work', 'schedule', 'migrate', 'all', 'token', 'dns'] as const;
type Role = (typeof ROLES)[number];

const USAGE = `Usage: rolerabbit <role> [options]

Roles:
  all        migrate, seed, then serve, work and schedule in one process (npm start)
  serve      the HTTP API and site serving
  work       the background job workers
  schedule   installs and runs the maintenance schedules
  migrate    creates the database if needed and applies migrations, then exits
  token      prints a development bearer token: token --email you@example.com [--name N] [--role R]
  dns        DNS maintenance: dns adopt [--apply] marks site records made before owners were kept
`;

function isRole(value: string | undefined): value is Role {
  return ROLES.some((role) => role === value);
}

/** A stable id per email, so repeated `token` calls act as the same user. */
function subjectForEmail(email: string): string {
  const hex = createHash('sha256').update(email.toLowerCase()).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function printToken(config: Config, args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
  });
  if (!values.email?.includes('@')) {
    process.stderr.write('token needs --email you@example.com\n');
    return 2;
  }
  if (!config.auth.usesDevelopmentSecret) {
    process.stderr.write(
      'Refusing to sign: a production secret or JWKS is configured. Get tokens from your identity provider.\n',
    );
    return 1;
  }
  const token = await signDevelopmentToken(config.auth.jwtSecret ?? '', {
    sub: subjectForEmail(values.email),
    email: values.email,
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.role === undefined ? {} : { role: values.role }),
  });
  process.stdout.write(`${token}\n`);
  return 0;
}

async function printBanner(deps: Deps): Promise<void> {
  const { config } = deps;
  const lines = [
    '',
    `RoleRabbit API   ${config.http.publicUrl}`,
    `API docs         ${config.http.publicUrl}/docs`,
    `Integrations     ${Object.entries(describeActiveDrivers(config.integrations))
      .map(([integration, driver]) => `${integration} ${driver}`)
      .join(' · ')}`,
  ];
  if (config.auth.usesDevelopmentSecret && config.env !== 'production') {
    const token = await signDevelopmentToken(config.auth.jwtSecret ?? '', {
      sub: DEMO_USER.id,
      email: DEMO_USER.email,
      name: DEMO_USER.name,
    });
    lines.push(
      `Demo user        ${DEMO_USER.email} (token valid 12 h; new one: npm run cli -- token --email ${DEMO_USER.email})`,
      '',
      `export TOKEN=${token}`,
      `curl -H "Authorization: Bearer $TOKEN" ${config.http.publicUrl}/api/portfolios`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

async function runService(
  role: Exclude<Role, 'migrate' | 'token' | 'dns'>,
  config: Config,
  logger: Logger,
) {
  if (role === 'all') {
    await migrateToLatest(config.postgres, logger);
  }
  const deps = createDeps(config, logger);
  const stop = (signal: string) => {
    void deps.shutdown.run(signal).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  // In the background: a storage outage at start must not keep the API from serving.
  deps.adapters.storage.ensureBuckets().then(
    () => {
      logger.info('storage buckets ready');
    },
    (err: unknown) => {
      logger.warn({ err }, 'storage buckets could not be checked; uploads will fail until then');
    },
  );
  await reportReservedSubdomainsInUse({
    db: deps.database.db,
    reservedSubdomains: config.sites.reservedSubdomains,
    logger,
  });
  if (role === 'all') {
    const outcome = await seedDemoData({ db: deps.database.db, portfolios: deps.portfolios });
    logger.info(outcome, 'seed checked');
  }
  if (role === 'all' || role === 'work') {
    startJobProcessing(deps);
    void warnAboutQueueDurability(deps.redis, logger);
  }
  if (role === 'all' || role === 'schedule') {
    // The maintenance schedules arrive with their issue; the role already starts and stops.
    deps.logger.info({ count: SCHEDULE_CATALOG.length }, 'schedules installed');
  }
  if (role === 'all' || role === 'serve') {
    await startHttpServer(deps);
    await printBanner(deps);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [role, ...rest] = argv;
  if (!isRole(role)) {
    process.stderr.write(USAGE);
    return role === undefined || role === '--help' ? 0 : 2;
  }
  let config: Config;
  try {
    loadEnvFiles();
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (role === 'token') {
    return printToken(config, rest);
  }
  const logger = createLogger(config);
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
  if (role === 'migrate') {
    await migrateToLatest(config.postgres, logger);
    return 0;
  }
  if (role === 'dns') {
    return runDnsCommand(config, logger, rest, (text) => process.stdout.write(text));
  }
  await runService(role, config, logger);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: a long-running role is up; it exits through the signal handlers.
    if (code >= 0) {
      process.exitCode = code;
    }
  },
  (err: unknown) => {
    process.stderr.write(`Start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof Error && err.cause instanceof Error) {
      process.stderr.write(`Cause: ${err.cause.message}\n`);
    }
    process.exit(1);
  },
);
