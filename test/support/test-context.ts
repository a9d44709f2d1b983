import { randomBytes, randomUUID } from 'node:crypto';

import { inject } from 'vitest';

import { type Config, loadConfig, readEnvironment } from '../../src/config/env.ts';
import { signDevelopmentToken } from '../../src/http/auth/sign-development-token.ts';
import { createApp } from '../../src/http/create-app.ts';
import { createDeps, type Deps } from '../../src/wiring/create-deps.ts';
import { createLogger } from '../../src/wiring/create-logger.ts';
import {
  cloneDatabase,
  dropDatabase,
  serverUrl,
  uniqueDatabaseName,
} from '../setup/test-databases.ts';

export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly token: string;
}

export interface ApiResponse<Body = unknown> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON (shape asserted by the test, not checked), or the raw text otherwise. */
  readonly body: Body;
}

export interface TestContext {
  readonly config: Config;
  readonly deps: Deps;
  readonly app: ReturnType<typeof createApp>;
  createUser(options?: { readonly role?: string }): Promise<TestUser>;
  request<Body = unknown>(
    method: string,
    path: string,
    options?: {
      readonly token?: string;
      readonly body?: unknown;
      readonly headers?: Record<string, string>;
    },
  ): Promise<ApiResponse<Body>>;
  close(): Promise<void>;
}

/**
 * A test file's own world: a database cloned from the migrated template, a Redis key prefix
 * of its own, and the app built from real dependencies, called in-process.
 */
export async function createTestContext(
  overrides: Record<string, string> = {},
): Promise<TestContext> {
  const database = uniqueDatabaseName('db');
  await cloneDatabase(inject('templateDatabase'), database);
  const config = loadConfig({
    ...readEnvironment(),
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: serverUrl(database),
    DATABASE_DIRECT_URL: serverUrl(database),
    REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:`,
    ...overrides,
  });
  const deps = createDeps(config, createLogger(config));
  const app = createApp(deps.app);
  // Tests start using Redis at once; wait for the connection (or its failure, for the tests
  // that point at a closed port) instead of racing it.
  if (deps.redis.status !== 'ready') {
    await new Promise<void>((resolve) => {
      deps.redis.once('ready', resolve);
      deps.redis.once('error', () => {
        resolve();
      });
    });
  }

  return {
    config,
    deps,
    app,
    async createUser(options = {}) {
      const id = randomUUID();
      const email = `user-${id.slice(0, 8)}@example.com`;
      const token = await signDevelopmentToken(config.auth.jwtSecret ?? '', {
        sub: id,
        email,
        ...(options.role === undefined ? {} : { role: options.role }),
      });
      return { id, email, token };
    },
    async request<Body>(
      method: string,
      path: string,
      options: {
        readonly token?: string;
        readonly body?: unknown;
        readonly headers?: Record<string, string>;
      } = {},
    ): Promise<ApiResponse<Body>> {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== undefined) {
        headers.authorization = `Bearer ${options.token}`;
      }
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      const response = await app.request(path, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      return {
        status: response.status,
        headers: response.headers,
        body: (contentType.includes('json') && text !== '' ? JSON.parse(text) : text) as Body,
      };
    },
    async close() {
      await deps.shutdown.run('test finished');
      await dropDatabase(database);
    },
  };
}
