import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

import { jwtVerify } from 'jose';
import pg from 'pg';
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

  it('serves, lists portfolios on reserved names, then closes cleanly on SIGTERM', async () => {
    const port = await freePort();
    await withDatabase((client) =>
      client.query(
        `WITH owner AS (INSERT INTO users (id) VALUES (gen_random_uuid()) RETURNING id)
         INSERT INTO portfolios (owner_id, template_id, title, slug, subdomain, content)
         SELECT owner.id, templates.id, 'Press', 'press', 'press-room', '{}'
           FROM owner, templates LIMIT 1`,
      ),
    );
    const child = startCli(['serve'], {
      RESERVED_SUBDOMAINS: 'press-room',
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
    expect(output).toMatch(/"subdomain":"press-room".*RESERVED_SUBDOMAINS/);
    expect(code).toBe(0);
  });
});

describe('cli dns adopt (R-SEC-2)', () => {
  const env = () => ({
    DATABASE_URL: serverUrl(database),
    BASE_DOMAIN: 'rolerabbit.test',
    DNS_SITE_TARGET: 'sites.rolerabbit.test',
    LOG_LEVEL: 'warn',
  });

  it('lists what it would mark, and marks it only with --apply', async () => {
    const portfolioId = await withDatabase(async (client) => {
      const user = await client.query<{ id: string }>(
        "INSERT INTO users (id, email) VALUES (gen_random_uuid(), 'adopt@example.com') RETURNING id",
      );
      const portfolio = await client.query<{ id: string }>(
        `INSERT INTO portfolios (owner_id, template_id, title, slug, subdomain, content)
         SELECT $1, id, 'Adopted', 'adopted', 'adopted', '{}' FROM templates LIMIT 1
         RETURNING id`,
        [user.rows[0]?.id],
      );
      await client.query(
        `INSERT INTO dns_records (type, name, content)
         VALUES ('CNAME', 'adopted.rolerabbit.test', 'sites.rolerabbit.test'),
                ('CNAME', 'careers.rolerabbit.test', 'jobs.example.org')`,
      );
      return portfolio.rows[0]?.id ?? '';
    });

    const dryRun = await runCli(['dns', 'adopt'], env());
    const ownersAfterDryRun = await ownersOfRecords();
    const applied = await runCli(['dns', 'adopt', '--apply'], env());

    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('Dry run: 1 record(s) would be marked');
    expect(dryRun.stdout).toContain(`CNAME adopted.rolerabbit.test -> sites.rolerabbit.test`);
    expect(ownersAfterDryRun).toEqual([null, null]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Marked 1 record(s)');
    expect(await ownersOfRecords()).toEqual([`portfolio=${portfolioId}`, null]);
  });

  it('refuses an unknown command or option with exit code 2', async () => {
    const unknown = await runCli(['dns', 'purge'], env());
    const badOption = await runCli(['dns', 'adopt', '--force'], env());

    expect([unknown.code, badOption.code]).toEqual([2, 2]);
    expect(unknown.stdout).toContain('Usage: rolerabbit dns adopt [--apply]');
  });
});

async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl(database) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Owners of the two records the adopt test seeds, in name order. */
function ownersOfRecords(): Promise<(string | null)[]> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<{ owner: string | null }>(
      "SELECT owner FROM dns_records WHERE name IN ('adopted.rolerabbit.test', 'careers.rolerabbit.test') ORDER BY name",
    );
    return rows.map((row) => row.owner);
  });
}
