import { describe, expect, it } from 'vitest';

import { DnsRecordConflictError } from '../../../../src/integrations/dns/dns-record-conflict.ts';
import { type DnsProviderFixture, OTHER_OWNER, OWNER, uniqueZone } from './dns-test-fixture.ts';

/**
 * R-SEC-2 for every DnsProvider: records carry their owner, only the owner's records change
 * or go, anything else at a name is a conflict, and unmarked records are adopted only as
 * they were listed.
 */
export function describeDnsOwnershipContract(adapter: string, fixture: DnsProviderFixture): void {
  const getProvider = fixture.provider;
  describe(`DnsProvider ownership contract: ${adapter}`, () => {
    it('marks every record it writes with its owner', async () => {
      const dns = getProvider();
      const name = `mine.${uniqueZone()}`;

      const record = await dns.upsertRecord({
        owner: OWNER,
        type: 'CNAME',
        name,
        content: 'sites.example.net',
      });

      expect(record.owner).toBe(OWNER);
      expect(await dns.listRecords({ name })).toEqual([record]);
    });

    it.each(['CNAME', 'A', 'TXT'] as const)(
      'refuses to touch a %s record it did not create, naming its type (R-SEC-2)',
      async (type) => {
        const dns = getProvider();
        const name = `careers.${uniqueZone()}`;
        const content = { CNAME: 'jobs.example.org', A: '192.0.2.44', TXT: 'v=spf1 -all' }[type];
        await fixture.seedForeign({ type, name, content });

        const error: unknown = await dns
          .upsertRecord({ owner: OWNER, type: 'CNAME', name, content: 'sites.example.net' })
          .catch((err: unknown) => err);

        expect(error).toBeInstanceOf(DnsRecordConflictError);
        expect(error).toMatchObject({
          code: 'dns.record_conflict',
          recordType: type,
          heldBy: null,
        });
        expect((error as Error).message).toContain(`${type} record not created by RoleRabbit`);
        expect(await dns.listRecords({ name })).toEqual([
          expect.objectContaining({ type, content, owner: null }),
        ]);
      },
    );

    it("refuses another owner's record at the name and leaves it as it was", async () => {
      const dns = getProvider();
      const name = `taken.${uniqueZone()}`;
      const theirs = await dns.upsertRecord({
        owner: OTHER_OWNER,
        type: 'CNAME',
        name,
        content: 'a.example.net',
      });

      const error: unknown = await dns
        .upsertRecord({ owner: OWNER, type: 'CNAME', name, content: 'b.example.net' })
        .catch((err: unknown) => err);

      expect(error).toBeInstanceOf(DnsRecordConflictError);
      expect(error).toMatchObject({ recordType: 'CNAME', heldBy: OTHER_OWNER });
      expect(await dns.listRecords({ name })).toEqual([theirs]);
    });

    it("deletes only the owner's records at the name, and again deletes nothing", async () => {
      const dns = getProvider();
      const zone = uniqueZone();
      await dns.upsertRecord({
        owner: OWNER,
        type: 'A',
        name: `gone.${zone}`,
        content: '192.0.2.7',
      });
      const theirs = await dns.upsertRecord({
        owner: OTHER_OWNER,
        type: 'A',
        name: `kept.${zone}`,
        content: '192.0.2.8',
      });
      await fixture.seedForeign({ type: 'TXT', name: `gone.${zone}`, content: 'operator' });

      const removed = await dns.deleteOwnedRecords(`gone.${zone}`, OWNER);
      const again = await dns.deleteOwnedRecords(`gone.${zone}`, OWNER);
      const notTheirs = await dns.deleteOwnedRecords(`kept.${zone}`, OWNER);

      expect([removed, again, notTheirs]).toEqual([1, 0, 0]);
      expect(await dns.listRecords({ name: `gone.${zone}` })).toEqual([
        expect.objectContaining({ type: 'TXT', owner: null }),
      ]);
      expect(await dns.listRecords({ name: `kept.${zone}` })).toEqual([theirs]);
    });

    it('adopts an unmarked record only while it is unchanged, then updates it', async () => {
      const dns = getProvider();
      const zone = uniqueZone();
      await fixture.seedForeign({
        type: 'CNAME',
        name: `old.${zone}`,
        content: 'sites.example.net',
      });
      await fixture.seedForeign({ type: 'CNAME', name: `moved.${zone}`, content: 'a.example.net' });
      const [unmarked] = await dns.listUnmarkedRecords({ name: `old.${zone}` });
      const [moved] = await dns.listUnmarkedRecords({ name: `moved.${zone}` });

      const adopted = await dns.adoptRecord(unmarked!, OWNER);
      const stale = await dns.adoptRecord({ ...moved!, content: 'b.example.net' }, OWNER);
      const updated = await dns.upsertRecord({
        owner: OWNER,
        type: 'CNAME',
        name: `old.${zone}`,
        content: 'edge.example.net',
      });

      expect([adopted, stale]).toEqual([true, false]);
      expect(updated).toMatchObject({
        id: unmarked!.id,
        owner: OWNER,
        content: 'edge.example.net',
      });
      expect(await dns.listUnmarkedRecords({ name: `old.${zone}` })).toEqual([]);
      expect(await dns.listUnmarkedRecords({ name: `moved.${zone}` })).toEqual([moved]);
    });
  });
}
