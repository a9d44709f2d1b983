import { type Kysely, type Selectable, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { DnsRecordsTable } from '../../db/tables/dns-tables.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { DnsProvider, DnsRecord, DnsRecordFilter, DnsRecordType } from './dns-provider.ts';
import { conflictingTypes, createDnsRecordConflict } from './dns-record-conflict.ts';
import { parseHostName, parseRecordInput, type RecordInput } from './parse-record-input.ts';

export interface LocalDnsOptions {
  readonly db: Kysely<Database>;
  /** The dns integration's resilient call, so a database outage shows on its breaker. */
  readonly call: ResilientCall;
}

const RECORD_COLUMNS = ['id', 'type', 'name', 'content', 'ttl_seconds', 'proxied'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type RecordRow = Pick<Selectable<DnsRecordsTable>, (typeof RECORD_COLUMNS)[number]>;

function toRecord(row: RecordRow): DnsRecord {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    content: row.content,
    ttlSeconds: row.ttl_seconds,
    proxied: row.proxied,
  };
}

/**
 * Inserts or updates in one statement. The unique indexes of migration 0002 make concurrent
 * upserts of the same record converge on one row instead of racing a read and an insert.
 */
async function writeRecord(db: Kysely<Database>, input: RecordInput): Promise<RecordRow> {
  const insert = db.insertInto('dns_records').values({
    type: input.type,
    name: input.name,
    content: input.content,
    ttl_seconds: input.ttlSeconds,
    proxied: input.proxied,
  });
  const upsert =
    input.type === 'TXT'
      ? insert.onConflict((conflict) =>
          conflict
            .columns(['name', 'content'])
            .where('type', '=', 'TXT')
            .doUpdateSet({ ttl_seconds: input.ttlSeconds, updated_at: sql`now()` }),
        )
      : insert.onConflict((conflict) =>
          conflict
            .columns(['name', 'type'])
            .where('type', '<>', 'TXT')
            .doUpdateSet({
              content: input.content,
              ttl_seconds: input.ttlSeconds,
              proxied: input.proxied,
              updated_at: sql`now()`,
            }),
        );
  return upsert.returning(RECORD_COLUMNS).executeTakeFirstOrThrow();
}

/** The local default (R-INT-4): records kept in PostgreSQL, served on `{sub}.localhost`. */
export function createLocalDns(options: LocalDnsOptions): DnsProvider {
  const { db, call } = options;

  const listRecords = async (filter: DnsRecordFilter = {}): Promise<readonly DnsRecord[]> => {
    const name = filter.name === undefined ? undefined : parseHostName(filter.name);
    const rows = await call('list records', () => {
      let query = db.selectFrom('dns_records').select(RECORD_COLUMNS);
      if (name !== undefined) {
        query = query.where('name', '=', name);
      }
      if (filter.type !== undefined) {
        query = query.where('type', '=', filter.type);
      }
      return query.orderBy('name').orderBy('type').orderBy('created_at').orderBy('id').execute();
    });
    return rows.map(toRecord);
  };

  return {
    async upsertRecord(input) {
      const wanted = parseRecordInput(input);
      const row = await call('upsert record', () =>
        withTransaction(db, async (trx) => {
          const conflicts = conflictingTypes(wanted.type);
          if (conflicts.length > 0) {
            // Serialises writers of one name, so an A and a CNAME cannot both slip in; a
            // transaction-scoped lock also works behind a transaction-mode pooler.
            await sql`SELECT pg_advisory_xact_lock(hashtext(${`dns:${wanted.name}`}))`.execute(trx);
            const clash = await trx
              .selectFrom('dns_records')
              .select('id')
              .where('name', '=', wanted.name)
              .where('type', 'in', conflicts)
              .executeTakeFirst();
            if (clash !== undefined) {
              throw createDnsRecordConflict(wanted.type, wanted.name);
            }
          }
          return writeRecord(trx, wanted);
        }),
      );
      return toRecord(row);
    },

    async deleteRecord(id) {
      // Ids from another provider can never exist here; asking Postgres would only fail.
      if (!UUID.test(id)) {
        return;
      }
      await call('delete record', () =>
        db.deleteFrom('dns_records').where('id', '=', id).executeTakeFirst(),
      );
    },

    listRecords,

    async findRecord(type: DnsRecordType, name: string) {
      const [first] = await listRecords({ type, name });
      return first;
    },
  };
}
