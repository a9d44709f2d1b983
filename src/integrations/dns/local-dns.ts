import { type Kysely, type Selectable, sql } from 'kysely';

import type { Database } from '../../db/database-types.ts';
import type { DnsRecordsTable } from '../../db/tables/dns-tables.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import type { DnsProvider, DnsRecord, DnsRecordFilter, DnsRecordType } from './dns-provider.ts';
import { selectOwnRecords } from './dns-record-conflict.ts';
import {
  matchesInput,
  parseHostName,
  parseOwner,
  parseRecordInput,
  type RecordInput,
} from './parse-record-input.ts';

export interface LocalDnsOptions {
  readonly db: Kysely<Database>;
  /** The dns integration's resilient call, so a database outage shows on its breaker. */
  readonly call: ResilientCall;
}

const RECORD_COLUMNS = [
  'id',
  'type',
  'name',
  'content',
  'ttl_seconds',
  'proxied',
  'owner',
] as const;

type RecordRow = Pick<Selectable<DnsRecordsTable>, (typeof RECORD_COLUMNS)[number]>;
type Db = Kysely<Database>;

function toRecord(row: RecordRow): DnsRecord {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    content: row.content,
    ttlSeconds: row.ttl_seconds,
    proxied: row.proxied,
    owner: row.owner,
  };
}

/**
 * Upsert of one owner's record, under a transaction-scoped lock on the name (which also works
 * behind a transaction-mode pooler): reads everything at the name, refuses anything not the
 * owner's, then updates the owner's record or inserts it. Writers of one name run one by one.
 */
async function upsertOwned(trx: Db, input: RecordInput): Promise<RecordRow> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`dns:${input.name}`}))`.execute(trx);
  const atName = await trx
    .selectFrom('dns_records')
    .select(RECORD_COLUMNS)
    .where('name', '=', input.name)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const [current] = selectOwnRecords(atName, input);
  if (current === undefined) {
    return trx
      .insertInto('dns_records')
      .values({
        type: input.type,
        name: input.name,
        content: input.content,
        ttl_seconds: input.ttlSeconds,
        proxied: input.proxied,
        owner: input.owner,
      })
      .returning(RECORD_COLUMNS)
      .executeTakeFirstOrThrow();
  }
  if (matchesInput(toRecord(current), input)) {
    return current;
  }
  return trx
    .updateTable('dns_records')
    .set({
      content: input.content,
      ttl_seconds: input.ttlSeconds,
      proxied: input.proxied,
      updated_at: sql`now()`,
    })
    .where('id', '=', current.id)
    .where('owner', '=', input.owner)
    .returning(RECORD_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** The local default (R-INT-4): records kept in PostgreSQL, served on `{sub}.localhost`. */
export function createLocalDns(options: LocalDnsOptions): DnsProvider {
  const { db, call } = options;

  const selectRecords = (filter: DnsRecordFilter, unmarkedOnly: boolean) => {
    const name = filter.name === undefined ? undefined : parseHostName(filter.name);
    return call('list records', async () => {
      let query = db.selectFrom('dns_records').select(RECORD_COLUMNS);
      if (name !== undefined) {
        query = query.where('name', '=', name);
      }
      if (filter.type !== undefined) {
        query = query.where('type', '=', filter.type);
      }
      if (unmarkedOnly) {
        query = query.where('owner', 'is', null);
      }
      const rows = await query
        .orderBy('name')
        .orderBy('type')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    });
  };

  return {
    async upsertRecord(input) {
      const wanted = parseRecordInput(input);
      const row = await call('upsert record', () =>
        withTransaction(db, (trx) => upsertOwned(trx, wanted)),
      );
      return toRecord(row);
    },

    async deleteOwnedRecords(name, owner) {
      const host = parseHostName(name);
      const marked = parseOwner(owner);
      // One statement: the owner is checked in the same row version that is deleted.
      const result = await call('delete records', () =>
        db
          .deleteFrom('dns_records')
          .where('name', '=', host)
          .where('owner', '=', marked)
          .executeTakeFirst(),
      );
      return Number(result.numDeletedRows);
    },

    listRecords: (filter = {}) => selectRecords(filter, false),

    async findRecord(type: DnsRecordType, name: string) {
      const [first] = await selectRecords({ type, name }, false);
      return first;
    },

    listUnmarkedRecords: (filter = {}) => selectRecords(filter, true),

    async adoptRecord(record, owner) {
      const marked = parseOwner(owner);
      const result = await call('adopt record', () =>
        db
          .updateTable('dns_records')
          .set({ owner: marked, updated_at: sql`now()` })
          .where('id', '=', record.id)
          .where('owner', 'is', null)
          .where('type', '=', record.type)
          .where('name', '=', record.name)
          .where('content', '=', record.content)
          .executeTakeFirst(),
      );
      return result.numUpdatedRows > 0n;
    },
  };
}
