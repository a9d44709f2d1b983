import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { DEVELOPMENT_JWT_SECRET } from '../../../src/config/auth-env.ts';
import { readEnvironment } from '../../../src/config/env.ts';
import {
  cloneDatabase,
  dropDatabase,
  serverUrl,
  uniqueDatabaseName,
} from '../../setup/test-databases.ts';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function startCli(args: readonly string[], env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', 'src/entrypoints/cli.ts', ...args], {
    env: { ...readEnvironment(), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const child = startCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') {
    throw new Error('no port');
  }
  return address.port;
}

let database: string;

beforeAll(async () => {
  database = uniqueDatabaseName('db');
  await cloneDatabase(inject('templateDatabase'), database);
});

afterAll(async () => {
  await dropDatabase(database);
});

describe('cli token (R-PLAT-5)', () => {
  it('prints a token that verifies with the development secret, stable per email', async () => {
    const first = await runCli(['token', '--email', 'sam@example.com']);
    const second = await runCli(['token', '--email', 'sam@example.com']);

    expect(first.code).toBe(0);
    const { payload } = await jwtVerify(
      first.stdout.trim(),
      new TextEncoder().encode(DEVELOPMENT_JWT_SECRET),
    );
    const again = await jwtVerify(
      second.stdout.trim(),
      new TextEncoder().encode(DEVELOPMENT_JWT_SECRET),
    );
    expect(payload).toMatchObject({ email: 'sam@example.com', role: 'authenticated' });
    expect(again.payload.sub).toBe(payload.sub);
  });

  it('refuses to sign when a production secret is configured', async () => {
    const run = await runCli(['token', '--email', 'sam@example.com'], {
      AUTH_JWT_SECRET: 'p'.repeat(48),
    });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Refusing to sign');
  });
});

describe('cli start-up', () => {
  it('lists every invalid variable and exits non-zero', async () => {
    const run = await runCli(['serve'], { PORT: 'eighty', DATABASE_URL: 'mysql://nope' });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('PORT:');
    expect(run.stderr).toContain('DATABASE_URL:');
  });

  it('serves, then closes cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = startCli(['serve'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: serverUrl(database),
      SHUTDOWN_GRACE_MS: '5000',
      JOBS_SHUTDOWN_GRACE_MS: '2000',
    });
    let output = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const listening = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('API docs')) {
          resolve();
        }
      });
      child.once('exit', (code) => {
        reject(new Error(`serve exited early with ${String(code)}: ${errors}`));
      });
    });
    await listening;

    const health = await fetch(`http://127.0.0.1:${String(port)}/readyz`);
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    child.kill('SIGTERM');
    const [code] = await exited;

    expect(health.status).toBe(200);
    expect(output).toContain('export TOKEN=');
    expect(output).toMatch(
      /Integrations +storage \w+ · dns \w+ · ssl \w+ · geolocation [^·]*offline · email \w+/,
    );
    expect(output).toContain('"msg":"shutting down"');
    expect(code).toBe(0);
  });
});
