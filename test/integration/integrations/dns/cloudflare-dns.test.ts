import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { CloudflareApiFailure } from '../../../../src/integrations/dns/cloudflare-client.ts';
import {
  type CloudflareDnsOptions,
  createCloudflareDns,
} from '../../../../src/integrations/dns/cloudflare-dns.ts';
import {
  IntegrationRateLimitedError,
  IntegrationUnavailableError,
} from '../../../../src/integrations/resilience/integration-errors.ts';
import {
  type CloudflareApiStandIn,
  startCloudflareApi,
} from '../../../support/stand-ins/cloudflare-api.ts';
import { createTestContext, type TestContext } from '../../../support/test-context.ts';
import {
  createDnsIntegration,
  describeDnsProviderContract,
  uniqueZone,
} from './dns-provider-contract.ts';

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

describeDnsProviderContract('cloudflare (stand-in)', () => createProvider().dns);

describe(createCloudflareDns.name, () => {
  it('reads every page of a listing larger than one page', async () => {
    const zone = uniqueZone();
    api.seed(
      Array.from({ length: 150 }, (_, i) => ({
        type: 'A',
        name: `host${String(i)}.${zone}`,
        content: '192.0.2.1',
      })),
    );
    const { dns } = createProvider();

    const records = await dns.listRecords({ type: 'A' });

    expect(new Set(records.map((r) => r.name)).size).toBe(150);
    expect(api.requests.map((r) => [r.query.get('page'), r.query.get('per_page')])).toEqual([
      ['1', '100'],
      ['2', '100'],
    ]);
  });

  it('sends the bearer token, the type and the exact name when listing', async () => {
    const { dns } = createProvider();

    await dns.findRecord('CNAME', 'Blog.Example.com');

    const [request] = api.requests;
    expect(request?.path).toBe(`/client/v4/zones/${api.zoneId}/dns_records`);
    expect(request?.query.get('type')).toBe('CNAME');
    expect(request?.query.get('name.exact')).toBe('blog.example.com');
  });

  it('treats a create refused as a duplicate (81057) as already there', async () => {
    const name = `dup.${uniqueZone()}`;
    api.beforeNextCreate(() => {
      api.seed([{ type: 'A', name, content: '192.0.2.5' }]);
    });
    const { dns } = createProvider();

    const record = await dns.upsertRecord({ type: 'A', name, content: '192.0.2.5' });

    expect(record).toMatchObject({ id: api.records()[0]?.id, content: '192.0.2.5' });
    expect(api.records()).toHaveLength(1);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('updates the CNAME that another writer created first (81053) instead of failing', async () => {
    const name = `cname.${uniqueZone()}`;
    api.beforeNextCreate(() => {
      api.seed([{ type: 'CNAME', name, content: 'old.example.net' }]);
    });
    const { dns } = createProvider();

    const record = await dns.upsertRecord({ type: 'CNAME', name, content: 'new.example.net' });

    expect(api.records()).toEqual([
      expect.objectContaining({ id: record.id, content: 'new.example.net' }),
    ]);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'PATCH']);
  });

  it('converges on the older record when a racing writer added a second A record', async () => {
    const name = `twin.${uniqueZone()}`;
    api.beforeNextCreate(() => {
      api.seed([{ type: 'A', name, content: '192.0.2.9' }]);
    });
    const { dns } = createProvider();

    const record = await dns.upsertRecord({ type: 'A', name, content: '192.0.2.1' });

    expect(api.records()).toEqual([
      expect.objectContaining({ id: record.id, content: '192.0.2.1' }),
    ]);
  });

  it('retries a 429 after the Retry-After the API asked for', async () => {
    api.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const { dns, delays } = createProvider();

    const records = await dns.listRecords();

    expect(records).toEqual([]);
    // The backoff alone would have waited 10 ms.
    expect(delays).toEqual([1_000]);
    expect(api.requests).toHaveLength(2);
  });

  it('keeps its breaker closed through five 429s in a row and calls again at once', async () => {
    api.failNext(5, { status: 429, retryAfterSeconds: 300 });
    const { integration, delays } = createDnsIntegration();
    const dns = createCloudflareDns({
      apiToken: api.token,
      zoneId: api.zoneId,
      apiBaseUrl: api.url,
      call: integration.call,
    });

    for (let call = 0; call < 5; call += 1) {
      await expect(dns.listRecords()).rejects.toBeInstanceOf(IntegrationRateLimitedError);
    }

    expect(integration.breaker.snapshot()).toMatchObject({ state: 'closed', failures: 0 });
    await expect(dns.listRecords()).resolves.toEqual([]);
    expect(api.requests).toHaveLength(6);
    expect(delays).toEqual([]);
  });

  it('retries 5xx answers with backoff and succeeds when the API recovers', async () => {
    api.failNext(2, { status: 502 });
    const { dns, delays } = createProvider();

    const record = await dns.upsertRecord({
      type: 'A',
      name: `r.${uniqueZone()}`,
      content: '192.0.2.3',
    });

    expect(record.id).toBe(api.records()[0]?.id);
    expect(delays).toEqual([10, 20]);
  });

  it('gives up with IntegrationUnavailableError when every attempt fails', async () => {
    api.failNext(3, { status: 503 });
    const { dns } = createProvider();

    await expect(dns.listRecords()).rejects.toBeInstanceOf(IntegrationUnavailableError);
    expect(api.requests).toHaveLength(3);
  });

  it('treats success:false with HTTP 200 as a failure and retries it', async () => {
    api.failNext(1, { status: 200, successFalse: true });
    const { dns, delays } = createProvider();

    await dns.listRecords();

    expect(delays).toEqual([10]);
    expect(api.requests).toHaveLength(2);
  });

  it('rejects a wrong token at once, without retrying', async () => {
    const { dns, delays } = createProvider({ apiToken: 'wrong-token' });

    const error: unknown = await dns.listRecords().catch((err: unknown) => err);

    expect(error).toBeInstanceOf(CloudflareApiFailure);
    expect(error).toMatchObject({ kind: 'rejected', status: 403, codes: [10_000] });
    expect((error as Error).message).not.toContain('wrong-token');
    expect(api.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('sends nothing for invalid input', async () => {
    const { dns } = createProvider();

    await expect(
      dns.upsertRecord({ type: 'A', name: 'no_dots', content: '192.0.2.1' }),
    ).rejects.toThrow(/fully qualified/);
    expect(api.requests).toEqual([]);
  });
});

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
