import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  type CloudflareDnsOptions,
  createCloudflareDns,
} from '../../../../src/integrations/dns/cloudflare-dns.ts';
import { IntegrationRateLimitedError } from '../../../../src/integrations/resilience/integration-errors.ts';
import {
  type CloudflareApiStandIn,
  startCloudflareApi,
} from '../../../support/stand-ins/cloudflare-api.ts';
import { createTestContext, type TestContext } from '../../../support/test-context.ts';
import { createDnsIntegration } from './dns-provider-contract.ts';

let api: CloudflareApiStandIn;
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});

afterAll(async () => {
  await ctx.close();
});

beforeEach(async () => {
  api = await startCloudflareApi();
});

afterEach(async () => {
  await api.close();
});

function createProvider(overrides: Partial<CloudflareDnsOptions> = {}) {
  const { integration, delays } = createDnsIntegration();
  const dns = createCloudflareDns({
    apiToken: api.token,
    zoneId: api.zoneId,
    apiBaseUrl: api.url,
    call: integration.call,
    ...overrides,
  });
  return { dns, delays };
}

describe('Cloudflare request budget in Redis', () => {
  function budgeted(
    keyPrefix: string,
    budget: { maxRequests: number; windowMs: number; maxWaitMs: number },
  ) {
    return createProvider({ rateLimit: { redis: ctx.deps.redis, keyPrefix, ...budget } });
  }

  it('shares one budget between processes and refuses to call over it', async () => {
    const keyPrefix = `${ctx.config.redis.keyPrefix}${randomBytes(4).toString('hex')}:`;
    const budget = { maxRequests: 3, windowMs: 60_000, maxWaitMs: 0 };
    const first = budgeted(keyPrefix, budget);
    const second = budgeted(keyPrefix, budget);
    await first.dns.listRecords();
    await second.dns.listRecords();
    await first.dns.listRecords();

    const error: unknown = await second.dns.listRecords().catch((err: unknown) => err);

    expect(error).toBeInstanceOf(IntegrationRateLimitedError);
    expect(error).toMatchObject({ fromVendor: false });
    expect((error as IntegrationRateLimitedError).blockedUntil).toBeGreaterThan(
      Date.now() + 50_000,
    );
    expect(api.requests).toHaveLength(3);
    // Nothing is retried in-process: the job waits until the budget frees a slot.
    expect(second.delays).toEqual([]);
  });

  it('shares a 429 it cannot wait out, so no process calls Cloudflare until it ends', async () => {
    const keyPrefix = `${ctx.config.redis.keyPrefix}${randomBytes(4).toString('hex')}:`;
    const budget = { maxRequests: 100, windowMs: 60_000, maxWaitMs: 0 };
    const first = budgeted(keyPrefix, budget);
    const second = budgeted(keyPrefix, budget);
    api.failNext(1, { status: 429, retryAfterSeconds: 300 });

    const vendorAnswer: unknown = await first.dns.listRecords().catch((err: unknown) => err);
    const held: unknown = await second.dns.listRecords().catch((err: unknown) => err);

    expect(vendorAnswer).toMatchObject({ fromVendor: true });
    expect(held).toBeInstanceOf(IntegrationRateLimitedError);
    expect(held).toMatchObject({ fromVendor: false });
    const heldUntil = (held as IntegrationRateLimitedError).blockedUntil;
    expect(heldUntil).toBeGreaterThan(Date.now() + 290_000);
    expect(api.requests).toHaveLength(1);
  });

  it('makes a request over the budget wait for a slot instead of failing', async () => {
    const keyPrefix = `${ctx.config.redis.keyPrefix}${randomBytes(4).toString('hex')}:`;
    const { dns } = budgeted(keyPrefix, { maxRequests: 2, windowMs: 400, maxWaitMs: 2_000 });

    await dns.listRecords();
    await dns.listRecords();
    await dns.listRecords();

    const [first, , third] = api.requests;
    expect(api.requests).toHaveLength(3);
    expect(third!.at - first!.at).toBeGreaterThanOrEqual(300);
  });

  it('goes ahead without a budget when Redis cannot be reached', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => undefined);
    const problems: unknown[] = [];
    const { dns } = createProvider({
      rateLimit: {
        redis: unreachable,
        keyPrefix: 'unused:',
        maxRequests: 1,
        onUnavailable: (err) => problems.push(err),
      },
    });

    await dns.listRecords();
    await dns.listRecords();

    expect(api.requests).toHaveLength(2);
    expect(problems).toHaveLength(2);
    unreachable.disconnect();
  });
});
