import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type DeployedSite, deploySiteDirectly } from '../../support/deployed-site.ts';
import { createTestContext, type TestContext } from '../../support/test-context.ts';

// Issue 8, fault 9 (R-SEC-5): made-up Host headers, from anyone, must cost neither a query nor
// a Redis key. The refresh interval is long so that only requests could cause any work here.

const REQUESTS = 10_000;
const BATCH = 50;

let ctx: TestContext;
let storageDirectory: string;
let live: DeployedSite;

beforeAll(async () => {
  storageDirectory = await mkdtemp(join(tmpdir(), 'rolerabbit-host-amplification-'));
  ctx = await createTestContext({
    STORAGE_LOCAL_DIRECTORY: storageDirectory,
    SITE_HOSTS_REFRESH_MS: String(60 * 60 * 1000),
  });
  live = await deploySiteDirectly(ctx, await ctx.createUser());
});

afterAll(async () => {
  await ctx.close();
  await rm(storageDirectory, { recursive: true, force: true });
});

/** Statements the app ran so far: the query hook's `_count` series, as /metrics shows it. */
async function countQueries(registry: Registry): Promise<number> {
  const exposition = await registry.metrics();
  return exposition
    .split('\n')
    .filter((line) => line.startsWith('rolerabbit_db_query_duration_seconds_count'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function countRedisKeys(): Promise<number> {
  let keys = 0;
  const scan = ctx.deps.redis.scanStream({ match: `${ctx.config.redis.keyPrefix}*`, count: 1000 });
  for await (const batch of scan) {
    keys += (batch as string[]).length;
  }
  return keys;
}

/** A random host of one of the shapes a probe tries: sites, custom domains, deeper names. */
function randomHost(i: number): string {
  const label = randomBytes(6).toString('hex');
  switch (i % 4) {
    case 0:
      return `${label}.localhost`;
    case 1:
      return `${label}.localhost:3000`;
    case 2:
      return `${label}.example.org`;
    default:
      return `www.${label}.example.net`;
  }
}

describe('unknown Host headers (R-SEC-5, issue 8, fault 9)', () => {
  it('answers 10,000 random hosts with no query and no new Redis key', async () => {
    const warmUp = await ctx.app.request('/', { headers: { host: live.host } });
    expect(warmUp.status).toBe(200);
    await warmUp.arrayBuffer();
    const queriesBefore = await countQueries(ctx.deps.metrics);
    const keysBefore = await countRedisKeys();

    const statuses = new Map<number, number>();
    for (let start = 0; start < REQUESTS; start += BATCH) {
      const responses = await Promise.all(
        Array.from({ length: BATCH }, async (_, offset) => {
          const i = start + offset;
          const response = await ctx.app.request(i % 3 === 0 ? '/healthz' : '/', {
            headers: { host: randomHost(i) },
          });
          await response.arrayBuffer();
          return response.status;
        }),
      );
      for (const status of responses) {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }

    expect(await countQueries(ctx.deps.metrics)).toBe(queriesBefore);
    expect(await countRedisKeys()).toBe(keysBefore);
    expect([...statuses.keys()].sort()).toEqual([200, 404]);
  });

  it('still serves the live site, whose host the set holds', async () => {
    const response = await ctx.app.request('/', { headers: { host: `${live.host}:3000` } });

    expect(response.status).toBe(200);
    expect(await ctx.deps.liveHosts.check(live.host)).toBe('live');
  });
});
