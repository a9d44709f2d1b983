import type { TestProject } from 'vitest/node';

import { loadConfig, readEnvironment } from '../../src/config/env.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { seedDemoData } from '../../src/features/demo/seed-demo-data.ts';
import { createDeps } from '../../src/wiring/create-deps.ts';
import { createLogger } from '../../src/wiring/create-logger.ts';
import {
  dropDatabase,
  dropStaleTestDatabases,
  serverUrl,
  uniqueDatabaseName,
} from './test-databases.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/**
 * Migrates and seeds one template database per run; every test file clones it (a file-level
 * copy, far faster than migrating again) so files never see each other's rows.
 */
export default async function setup(project: TestProject) {
  await dropStaleTestDatabases();
  const template = uniqueDatabaseName('tpl');
  const config = loadConfig({
    ...readEnvironment(),
    DATABASE_URL: serverUrl(template),
    DATABASE_DIRECT_URL: serverUrl(template),
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger(config);
  await migrateToLatest(config.postgres, logger);
  const deps = createDeps(config, logger);
  try {
    await seedDemoData({ db: deps.database.db, portfolios: deps.portfolios });
  } finally {
    await deps.shutdown.run('template ready');
  }
  project.provide('templateDatabase', template);
  return async () => {
    await dropDatabase(template);
  };
}
