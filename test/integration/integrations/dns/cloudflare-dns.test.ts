import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CloudflareApiFailure } from '../../../../src/integrations/dns/cloudflare-client.ts';
import {
  type CloudflareDnsOptions,
  createCloudflareDns,
} from '../../../../src/integrations/dns/cloudflare-dns.ts';
import { DnsRecordConflictError } from '../../../../src/integrations/dns/dns-record-conflict.ts';
import {
  IntegrationRateLimitedError,
  IntegrationUnavailableError,
} from '../../../../src/integrations/resilience/integration-errors.ts';
import {
  type CloudflareApiStandIn,
  startCloudflareApi,
} from '../../../support/stand-ins/cloudflare-api.ts';
import {
  createDnsIntegration,
  describeDnsProviderContract,
  OWNER,
  uniqueZone,
} from './dns-provider-contract.ts';

const MARK = `rolerabbit:${OWNER}`;

let api: CloudflareApiStandIn;

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

describeDnsProviderContract('cloudflare (stand-in)', {
  provider: () => createProvider().dns,
  seedForeign: (record) => {
    api.seed([record]);
    return Promise.resolve();
  },
});

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
      api.seed([{ type: 'A', name, content: '192.0.2.5', comment: MARK }]);
    });
    const { dns } = createProvider();

    const record = await dns.upsertRecord({ owner: OWNER, type: 'A', name, content: '192.0.2.5' });

    expect(record).toMatchObject({ id: api.records()[0]?.id, content: '192.0.2.5' });
    expect(api.records()).toHaveLength(1);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('updates the CNAME that another writer of ours created first (81053)', async () => {
    const name = `cname.${uniqueZone()}`;
    api.beforeNextCreate(() => {
      api.seed([{ type: 'CNAME', name, content: 'old.example.net', comment: MARK }]);
    });
    const { dns } = createProvider();

    const record = await dns.upsertRecord({
      owner: OWNER,
      type: 'CNAME',
      name,
      content: 'new.example.net',
    });

    expect(api.records()).toEqual([
      expect.objectContaining({ id: record.id, content: 'new.example.net', comment: MARK }),
    ]);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'PATCH']);
  });

  it("gives the name up when an operator's CNAME appears while it creates (R-SEC-2)", async () => {
    const name = `careers.${uniqueZone()}`;
    api.beforeNextCreate(() => {
      api.seed([{ type: 'CNAME', name, content: 'jobs.example.org' }]);
    });
    const { dns } = createProvider();

    const error: unknown = await dns
      .upsertRecord({ owner: OWNER, type: 'CNAME', name, content: 'sites.example.net' })
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(DnsRecordConflictError);
    expect(api.records()).toEqual([
      expect.objectContaining({ content: 'jobs.example.org', comment: null }),
    ]);
    expect(api.requests.map((r) => r.method)).not.toContain('PATCH');
  });

  it('removes its own record when an operator adds an A record beside it mid-create', async () => {
    const name = `twin.${uniqueZone()}`;
    api.beforeNextCreate(() => {
      api.seed([{ type: 'A', name, content: '192.0.2.9' }]);
    });
    const { dns } = createProvider();

    await expect(
      dns.upsertRecord({ owner: OWNER, type: 'A', name, content: '192.0.2.1' }),
    ).rejects.toBeInstanceOf(DnsRecordConflictError);

    expect(api.records()).toEqual([expect.objectContaining({ content: '192.0.2.9' })]);
  });

  it('converges on the older record when a racing writer of ours added a second A record', async () => {
    const name = `twin.${uniqueZone()}`;
    api.beforeNextCreate(() => {
      api.seed([{ type: 'A', name, content: '192.0.2.9', comment: MARK }]);
    });
    const { dns } = createProvider();

    const record = await dns.upsertRecord({ owner: OWNER, type: 'A', name, content: '192.0.2.1' });

    expect(api.records()).toEqual([
      expect.objectContaining({ id: record.id, content: '192.0.2.1' }),
    ]);
  });

  it('writes the owner mark as the comment and finds its records by it', async () => {
    const name = `marked.${uniqueZone()}`;
    const { dns } = createProvider();

    await dns.upsertRecord({ owner: OWNER, type: 'CNAME', name, content: 'sites.example.net' });
    await dns.deleteOwnedRecords(name, OWNER);

    expect(api.requests.find((r) => r.method === 'POST')?.body).toMatchObject({ comment: MARK });
    const lookup = api.requests.filter((r) => r.method === 'GET').at(-1);
    expect(lookup?.query.get('comment.startswith')).toBe('rolerabbit:');
    expect(lookup?.query.get('name.exact')).toBe(name);
    expect(api.records()).toEqual([]);
  });

  it('never offers a record with an operator comment for adoption', async () => {
    const name = `noted.${uniqueZone()}`;
    api.seed([
      { type: 'CNAME', name, content: 'sites.example.net', comment: 'marketing, do not touch' },
    ]);
    const { dns } = createProvider();

    expect(await dns.listUnmarkedRecords({ name })).toEqual([]);
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
      owner: OWNER,
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
      dns.upsertRecord({ owner: OWNER, type: 'A', name: 'no_dots', content: '192.0.2.1' }),
    ).rejects.toThrow(/fully qualified/);
    expect(api.requests).toEqual([]);
  });
});
