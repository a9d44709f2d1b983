import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';
import { z } from 'zod';

import { IntegrationUnavailableError } from '../resilience/integration-errors.ts';
import type { ResilientCall } from '../resilience/resilient-call.ts';
import {
  CLOUDFLARE_CODES,
  CloudflareApiFailure,
  createCloudflareClient,
} from './cloudflare-client.ts';
import {
  byAge,
  type CloudflareRecord,
  managedRecordSchema,
  recordSchema,
  toRecord,
  unquoteTxt,
} from './cloudflare-record.ts';
import type { DnsProvider, DnsRecord, DnsRecordFilter } from './dns-provider.ts';
import { createDnsRecordConflict } from './dns-record-conflict.ts';
import {
  matchesInput,
  parseHostName,
  parseRecordInput,
  type RecordInput,
} from './parse-record-input.ts';
import { createRedisRateLimiter } from './redis-rate-limiter.ts';

export const DEFAULT_CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';

export interface CloudflareRateLimitOptions {
  readonly redis: Redis;
  /** Prepended to the budget's key, e.g. the app's Redis key prefix. */
  readonly keyPrefix: string;
  /** @defaultValue 1000 (Cloudflare allows 1,200 per 5 minutes; the rest is headroom for people) */
  readonly maxRequests?: number;
  /** @defaultValue 300000 (5 minutes) */
  readonly windowMs?: number;
  /** Longest in-attempt wait for a slot; beyond it the attempt fails retryable. @defaultValue 2000 */
  readonly maxWaitMs?: number;
  readonly onUnavailable?: (err: unknown) => void;
}

export interface CloudflareDnsOptions {
  /** An API token with DNS Write on the zone. */
  readonly apiToken: string;
  readonly zoneId: string;
  /** @defaultValue https://api.cloudflare.com/client/v4 */
  readonly apiBaseUrl?: string;
  readonly call: ResilientCall;
  /** A request budget shared through Redis by every process using the same token. */
  readonly rateLimit?: CloudflareRateLimitOptions;
  /** Records per list page. @defaultValue 100 */
  readonly pageSize?: number;
}

const MAX_PAGES = 1_000;
const UPSERT_ROUNDS = 3;

/**
 * DNS records through Cloudflare API v4 (R-INT-4). Upsert is list-then-write, made safe
 * against concurrent writers without a lock: a create refused as a duplicate re-reads and
 * updates, and a create that raced another (Cloudflare allows several A records per name)
 * keeps the oldest record and deletes the rest, so every writer converges on one.
 */
export function createCloudflareDns(options: CloudflareDnsOptions): DnsProvider {
  const pageSize = options.pageSize ?? 100;
  const records = `/zones/${encodeURIComponent(options.zoneId)}/dns_records`;
  const rateLimit = options.rateLimit;
  const client = createCloudflareClient({
    apiToken: options.apiToken,
    apiBaseUrl: options.apiBaseUrl ?? DEFAULT_CLOUDFLARE_API_URL,
    call: options.call,
    rateLimiter:
      rateLimit === undefined
        ? undefined
        : createRedisRateLimiter({
            redis: rateLimit.redis,
            integration: 'dns',
            // Cloudflare counts per token, so processes sharing a token share a budget.
            key: `${rateLimit.keyPrefix}dns:cloudflare-budget:${createHash('sha256').update(options.apiToken).digest('hex').slice(0, 16)}`,
            maxRequests: rateLimit.maxRequests ?? 1_000,
            windowMs: rateLimit.windowMs ?? 300_000,
            maxWaitMs: rateLimit.maxWaitMs ?? 2_000,
            ...(rateLimit.onUnavailable === undefined
              ? {}
              : { onUnavailable: rateLimit.onUnavailable }),
          }),
  });

  async function listRaw(filter: DnsRecordFilter): Promise<CloudflareRecord[]> {
    const found: CloudflareRecord[] = [];
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const { result, info } = await client.request({
        operation: 'list records',
        method: 'GET',
        path: records,
        query: {
          ...(filter.type === undefined ? {} : { type: filter.type }),
          ...(filter.name === undefined ? {} : { 'name.exact': filter.name }),
          page,
          per_page: pageSize,
        },
        result: z.array(recordSchema),
      });
      found.push(...result);
      const lastPage = info?.total_pages ?? (result.length < pageSize ? page : page + 1);
      if (result.length === 0 || page >= lastPage) {
        return found;
      }
    }
    throw new IntegrationUnavailableError(
      'dns',
      `Cloudflare listed more than ${String(MAX_PAGES)} pages`,
    );
  }

  /** The records an upsert of `input` would touch, oldest first. */
  async function listSame(input: RecordInput): Promise<CloudflareRecord[]> {
    const found = await listRaw({ type: input.type, name: input.name });
    return found
      .filter((r) => input.type !== 'TXT' || unquoteTxt(r.content) === input.content)
      .sort(byAge);
  }

  async function deleteById(id: string): Promise<void> {
    try {
      await client.request({
        operation: 'delete record',
        method: 'DELETE',
        path: `${records}/${encodeURIComponent(id)}`,
        result: z.unknown(),
      });
    } catch (err) {
      if (!isMissingRecord(err)) {
        throw err;
      }
    }
  }

  async function write(
    method: 'POST' | 'PATCH',
    input: RecordInput,
    id?: string,
  ): Promise<DnsRecord> {
    const { result } = await client.request({
      operation: method === 'POST' ? 'create record' : 'update record',
      method,
      path: id === undefined ? records : `${records}/${encodeURIComponent(id)}`,
      body: {
        type: input.type,
        name: input.name,
        content: input.content,
        ttl: input.ttlSeconds,
        ...(input.type === 'TXT' ? {} : { proxied: input.proxied }),
      },
      result: managedRecordSchema,
    });
    return result;
  }

  /** Makes the oldest of `same` the one record and gives it the input's values. */
  async function converge(same: CloudflareRecord[], input: RecordInput): Promise<DnsRecord> {
    const [survivor, ...extras] = same;
    if (survivor === undefined) {
      throw new TypeError('converge needs at least one record');
    }
    if (input.type !== 'TXT') {
      for (const extra of extras) {
        await deleteById(extra.id);
      }
    }
    const current = toRecord(survivor);
    if (current !== undefined && matchesInput(current, input)) {
      return current;
    }
    return write('PATCH', input, survivor.id);
  }

  async function upsert(input: RecordInput): Promise<DnsRecord> {
    // Records already read after a refused create, so the next round need not list again.
    let known: CloudflareRecord[] | undefined;
    for (let round = 1; round <= UPSERT_ROUNDS; round += 1) {
      try {
        const same = known ?? (await listSame(input));
        known = undefined;
        if (same.length > 0) {
          return await converge(same, input);
        }
        const created = await write('POST', input);
        if (input.type === 'TXT') {
          return created;
        }
        const afterCreate = await listSame(input);
        return afterCreate.length > 1 ? await converge(afterCreate, input) : created;
      } catch (err) {
        if (!(err instanceof CloudflareApiFailure)) {
          throw err;
        }
        if (err.hasCode(CLOUDFLARE_CODES.hostAlreadyUsed)) {
          // Either another writer created our record first, or another type holds the name.
          known = await listSame(input);
          if (known.length === 0) {
            throw createDnsRecordConflict(input.type, input.name);
          }
        } else if (
          !err.hasCode(
            CLOUDFLARE_CODES.recordAlreadyExists,
            CLOUDFLARE_CODES.identicalRecordExists,
          ) &&
          !isMissingRecord(err)
        ) {
          throw err;
        }
        // Someone else created it, or deleted what we were updating: read again.
      }
    }
    throw new IntegrationUnavailableError(
      'dns',
      `${input.type} ${input.name} kept changing while it was upserted; try again`,
    );
  }

  return {
    async upsertRecord(input) {
      return upsert(parseRecordInput(input));
    },

    async deleteRecord(id) {
      await deleteById(id);
    },

    async listRecords(filter = {}) {
      const name = filter.name === undefined ? undefined : parseHostName(filter.name);
      const found = await listRaw({ ...filter, ...(name === undefined ? {} : { name }) });
      return found.flatMap((record) => toRecord(record) ?? []);
    },

    async findRecord(type, name) {
      const found = await listRaw({ type, name: parseHostName(name) });
      const [oldest] = found.sort(byAge).flatMap((record) => toRecord(record) ?? []);
      return oldest;
    },
  };
}

function isMissingRecord(err: unknown): boolean {
  return (
    err instanceof CloudflareApiFailure &&
    // Only this code: a 404 for a wrong zone must not pass for an already-deleted record.
    err.hasCode(CLOUDFLARE_CODES.recordDoesNotExist)
  );
}
