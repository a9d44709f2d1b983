import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';

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
  markOf,
  ownerOf,
  toRecord,
  viewOf,
} from './cloudflare-record.ts';
import { createCloudflareRecordsApi, isMissingRecord } from './cloudflare-records-api.ts';
import {
  type DnsProvider,
  type DnsRecord,
  type DnsRecordFilter,
  OWNER_MARK_PREFIX,
} from './dns-provider.ts';
import { selectOwnRecords } from './dns-record-conflict.ts';
import {
  matchesInput,
  parseHostName,
  parseOwner,
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

const UPSERT_ROUNDS = 3;

/**
 * DNS records through Cloudflare API v4 (R-INT-4, R-SEC-2). Every record we write carries
 * `comment: "rolerabbit:<owner>"`; we change and delete only records with the owner's mark,
 * and any other record at a name is a conflict. Upsert is list-then-write, made safe against
 * concurrent writers of one owner without a lock: a create refused as a duplicate re-reads
 * and updates, and a create that raced another (Cloudflare allows several A records per name)
 * keeps the owner's oldest record and deletes the owner's others.
 */
export function createCloudflareDns(options: CloudflareDnsOptions): DnsProvider {
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
  const api = createCloudflareRecordsApi({
    client,
    zoneId: options.zoneId,
    pageSize: options.pageSize ?? 100,
  });

  /** Every record at the name, of any type, oldest first. */
  async function listAtName(name: string) {
    return (await api.list({ 'name.exact': name })).sort(byAge).map(viewOf);
  }

  /** Makes the oldest of the owner's records the one record and gives it the input's values. */
  async function converge(same: CloudflareRecord[], input: RecordInput): Promise<DnsRecord> {
    const [survivor, ...extras] = same;
    if (survivor === undefined) {
      throw new TypeError('converge needs at least one record');
    }
    if (input.type !== 'TXT') {
      for (const extra of extras) {
        await api.delete(extra.id);
      }
    }
    const current = toRecord(survivor);
    if (current !== undefined && matchesInput(current, input)) {
      return current;
    }
    return api.update(survivor.id, input, markOf(input.owner));
  }

  /**
   * After a create: the owner's records of the input's kind, to converge. If a record we may
   * not touch appeared at the name meanwhile, the one just created goes and the name is left
   * to it (DnsRecordConflictError).
   */
  async function giveWayToOthers(
    atName: ReturnType<typeof viewOf>[],
    input: RecordInput,
    created: DnsRecord,
  ): Promise<CloudflareRecord[]> {
    try {
      return selectOwnRecords(atName, input).map((view) => view.record);
    } catch (err) {
      await api.delete(created.id);
      throw err;
    }
  }

  async function upsert(input: RecordInput): Promise<DnsRecord> {
    // Records already read after a refused create, so the next round need not list again.
    let known: ReturnType<typeof viewOf>[] | undefined;
    for (let round = 1; round <= UPSERT_ROUNDS; round += 1) {
      try {
        const atName = known ?? (await listAtName(input.name));
        known = undefined;
        const same = selectOwnRecords(atName, input).map((view) => view.record);
        if (same.length > 0) {
          return await converge(same, input);
        }
        const created = await api.create(input, markOf(input.owner));
        if (input.type === 'TXT') {
          return created;
        }
        const afterCreate = await giveWayToOthers(await listAtName(input.name), input, created);
        return afterCreate.length > 1 ? await converge(afterCreate, input) : created;
      } catch (err) {
        if (!(err instanceof CloudflareApiFailure)) {
          throw err;
        }
        if (
          err.hasCode(
            CLOUDFLARE_CODES.hostAlreadyUsed,
            CLOUDFLARE_CODES.recordAlreadyExists,
            CLOUDFLARE_CODES.identicalRecordExists,
          )
        ) {
          // Another writer got there first: the next round says whose record it is.
          known = await listAtName(input.name);
        } else if (!isMissingRecord(err)) {
          throw err;
        }
      }
    }
    throw new IntegrationUnavailableError(
      'dns',
      `${input.type} ${input.name} kept changing while it was upserted; try again`,
    );
  }

  const managed = (found: readonly CloudflareRecord[]) =>
    found.flatMap((record) => toRecord(record) ?? []);

  const queryOf = (filter: DnsRecordFilter): Record<string, string> => ({
    ...(filter.type === undefined ? {} : { type: filter.type }),
    ...(filter.name === undefined ? {} : { 'name.exact': parseHostName(filter.name) }),
  });

  return {
    async upsertRecord(input) {
      return upsert(parseRecordInput(input));
    },

    async deleteOwnedRecords(name, owner) {
      const host = parseHostName(name);
      const marked = parseOwner(owner);
      // Read again right before deleting: only what still carries this owner's mark goes.
      const ours = (
        await api.list({ 'name.exact': host, 'comment.startswith': OWNER_MARK_PREFIX })
      ).filter((record) => ownerOf(record) === marked);
      for (const record of ours) {
        await api.delete(record.id);
      }
      return ours.length;
    },

    async listRecords(filter = {}) {
      return managed(await api.list(queryOf(filter)));
    },

    async findRecord(type, name) {
      const found = await api.list(queryOf({ type, name }));
      const [oldest] = managed(found.sort(byAge));
      return oldest;
    },

    async listUnmarkedRecords(filter = {}) {
      // Cloudflare reads `comment.absent` as a flag: records without any comment.
      const found = await api.list({ ...queryOf(filter), 'comment.absent': '' });
      return managed(found.filter((record) => (record.comment ?? '') === ''));
    },

    async adoptRecord(record, owner) {
      const marked = parseOwner(owner);
      const current = await api.get(record.id);
      const unchanged =
        current !== undefined &&
        (current.comment ?? '') === '' &&
        viewOf(current).type === record.type &&
        viewOf(current).name === record.name &&
        viewOf(current).content === record.content;
      if (!unchanged) {
        return false;
      }
      await api.setComment(record.id, markOf(marked));
      return true;
    },
  };
}
