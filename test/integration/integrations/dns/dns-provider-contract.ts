import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import { ConflictError, InvalidInputError } from '../../../../src/errors/app-error.ts';
import {
  createIntegration,
  type Integration,
  type ResilienceOptions,
} from '../../../../src/integrations/resilience/resilient-call.ts';
import { describeDnsOwnershipContract } from './dns-ownership-contract.ts';
import { type DnsProviderFixture, OWNER, uniqueZone } from './dns-test-fixture.ts';

export { OTHER_OWNER, OWNER, uniqueZone } from './dns-test-fixture.ts';

export const DNS_RESILIENCE: ResilienceOptions = {
  breaker: { failuresToOpen: 5, resetAfterMs: 30_000 },
  retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 1_000 },
  timeoutMs: 2_000,
};

/** The dns integration with a sleep that records its delays instead of waiting. */
export function createDnsIntegration(resilience: ResilienceOptions = DNS_RESILIENCE): {
  readonly integration: Integration;
  readonly delays: number[];
} {
  const delays: number[] = [];
  const integration = createIntegration('dns', resilience, {
    logger: pino({ level: 'silent' }),
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  });
  return { integration, delays };
}

/**
 * What every DnsProvider must do, run against each adapter with its real backing service
 * (PostgreSQL for local, the Cloudflare stand-in for cloudflare). Ownership rules (R-SEC-2)
 * are in dns-ownership-contract.ts, run by the same call.
 */
export function describeDnsProviderContract(adapter: string, fixture: DnsProviderFixture): void {
  const getProvider = fixture.provider;
  describeDnsOwnershipContract(adapter, fixture);
  describe(`DnsProvider contract: ${adapter}`, () => {
    it('creates a record, then updates the same record instead of adding one', async () => {
      const dns = getProvider();
      const name = `site.${uniqueZone()}`;

      const created = await dns.upsertRecord({
        owner: OWNER,
        type: 'CNAME',
        name,
        content: 'a.example.net',
      });
      const updated = await dns.upsertRecord({
        owner: OWNER,
        type: 'CNAME',
        name,
        content: 'b.example.net',
        ttlSeconds: 300,
      });

      expect(created).toMatchObject({ type: 'CNAME', name, content: 'a.example.net' });
      expect(updated).toEqual({
        id: created.id,
        type: 'CNAME',
        name,
        content: 'b.example.net',
        ttlSeconds: 300,
        proxied: false,
        owner: OWNER,
      });
      expect(await dns.listRecords({ name })).toEqual([updated]);
    });

    it('returns the same record when an identical upsert is repeated', async () => {
      const dns = getProvider();
      const input = {
        owner: OWNER,
        type: 'A',
        name: `www.${uniqueZone()}`,
        content: '192.0.2.10',
      } as const;

      const first = await dns.upsertRecord(input);
      const second = await dns.upsertRecord(input);

      expect(second).toEqual(first);
      expect(await dns.listRecords({ name: input.name })).toHaveLength(1);
    });

    it('keeps one record when upserts of the same name run concurrently', async () => {
      const dns = getProvider();
      const name = `race.${uniqueZone()}`;
      const contents = Array.from({ length: 6 }, (_, i) => `192.0.2.${String(i + 1)}`);

      await Promise.all(
        contents.map((content) => dns.upsertRecord({ owner: OWNER, type: 'A', name, content })),
      );

      const records = await dns.listRecords({ name, type: 'A' });
      expect(records).toHaveLength(1);
      expect(contents).toContain(records[0]?.content);
    });

    it('keeps one TXT record when identical TXT upserts run concurrently', async () => {
      const dns = getProvider();
      const input = {
        owner: OWNER,
        type: 'TXT',
        name: `_acme-challenge.${uniqueZone()}`,
        content: 'tok',
      } as const;

      await Promise.all(Array.from({ length: 4 }, () => dns.upsertRecord(input)));

      expect(await dns.listRecords({ name: input.name })).toHaveLength(1);
    });

    it('keeps TXT records with different content side by side and finds the oldest', async () => {
      const dns = getProvider();
      const name = `_acme-challenge.${uniqueZone()}`;

      const first = await dns.upsertRecord({
        owner: OWNER,
        type: 'TXT',
        name,
        content: 'first-token',
      });
      await dns.upsertRecord({ owner: OWNER, type: 'TXT', name, content: 'second-token' });

      const contents = (await dns.listRecords({ name, type: 'TXT' })).map((r) => r.content);
      expect(contents.sort()).toEqual(['first-token', 'second-token']);
      expect(await dns.findRecord('TXT', name)).toEqual(first);
    });

    it('refuses a CNAME where an A record holds the name, and the reverse', async () => {
      const dns = getProvider();
      const zone = uniqueZone();
      await dns.upsertRecord({ owner: OWNER, type: 'A', name: `a.${zone}`, content: '192.0.2.1' });
      await dns.upsertRecord({
        owner: OWNER,
        type: 'CNAME',
        name: `c.${zone}`,
        content: 'x.example.net',
      });

      await expect(
        dns.upsertRecord({
          owner: OWNER,
          type: 'CNAME',
          name: `a.${zone}`,
          content: 'x.example.net',
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(
        dns.upsertRecord({ owner: OWNER, type: 'AAAA', name: `c.${zone}`, content: '2001:db8::1' }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await dns.listRecords({ name: `a.${zone}` })).map((r) => r.type)).toEqual(['A']);
    });

    it('filters the list by name and by type', async () => {
      const dns = getProvider();
      const zone = uniqueZone();
      await dns.upsertRecord({
        owner: OWNER,
        type: 'A',
        name: `one.${zone}`,
        content: '192.0.2.1',
      });
      await dns.upsertRecord({ owner: OWNER, type: 'TXT', name: `one.${zone}`, content: 'hello' });
      await dns.upsertRecord({
        owner: OWNER,
        type: 'A',
        name: `two.${zone}`,
        content: '192.0.2.2',
      });

      const byName = await dns.listRecords({ name: `one.${zone}` });
      const byBoth = await dns.listRecords({ name: `ONE.${zone}.`, type: 'TXT' });

      expect(byName.map((r) => r.type).sort()).toEqual(['A', 'TXT']);
      expect(byBoth).toEqual([expect.objectContaining({ type: 'TXT', content: 'hello' })]);
    });

    it('stores a proxied record with the automatic TTL', async () => {
      const dns = getProvider();
      const name = `cdn.${uniqueZone()}`;

      const record = await dns.upsertRecord({
        owner: OWNER,
        type: 'CNAME',
        name,
        content: 'sites.example.net',
        ttlSeconds: 300,
        proxied: true,
      });

      expect(record).toMatchObject({ proxied: true, ttlSeconds: 1 });
      expect(await dns.findRecord('CNAME', name)).toEqual(record);
    });

    it.each([
      ['a single-label name', { type: 'A', name: 'localhost', content: '192.0.2.1' }],
      ['a label ending in "-"', { type: 'A', name: 'bad-.example.com', content: '192.0.2.1' }],
      ['an A record without an IPv4', { type: 'A', name: 'x.example.com', content: 'host' }],
      ['a CNAME to itself', { type: 'CNAME', name: 'x.example.com', content: 'x.example.com' }],
      ['a proxied TXT record', { type: 'TXT', name: 'x.example.com', content: 't', proxied: true }],
      [
        'an owner key with a colon',
        { type: 'A', name: 'x.example.com', content: '192.0.2.1', owner: 'a:b' },
      ],
      [
        'a TTL below 60 s',
        { type: 'A', name: 'x.example.com', content: '192.0.2.1', ttlSeconds: 5 },
      ],
    ] as const)('rejects %s as invalid input', async (_, input) => {
      const dns = getProvider();

      await expect(dns.upsertRecord({ owner: OWNER, ...input })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    });
  });
}
