import { z } from 'zod';

import { IntegrationUnavailableError } from '../resilience/integration-errors.ts';
import {
  CLOUDFLARE_CODES,
  CloudflareApiFailure,
  type CloudflareClient,
} from './cloudflare-client.ts';
import { type CloudflareRecord, managedRecordSchema, recordSchema } from './cloudflare-record.ts';
import type { DnsRecord } from './dns-provider.ts';
import type { RecordInput } from './parse-record-input.ts';

/** List filters in Cloudflare's dotted query form (`name.exact`, `comment.startswith`, ...). */
export type RecordQuery = Readonly<Record<string, string>>;

/** The `/zones/{zone}/dns_records` endpoints, one request each. */
export interface CloudflareRecordsApi {
  /** Every matching record, all pages. */
  list(query: RecordQuery): Promise<CloudflareRecord[]>;
  get(id: string): Promise<CloudflareRecord | undefined>;
  create(input: RecordInput, comment: string): Promise<DnsRecord>;
  update(id: string, input: RecordInput, comment: string): Promise<DnsRecord>;
  /** Changes only the comment (adopting a record leaves its content as it was). */
  setComment(id: string, comment: string): Promise<void>;
  /** Deleting a record that is already gone is not an error. */
  delete(id: string): Promise<void>;
}

const MAX_PAGES = 1_000;

/** Only this code: a 404 for a wrong zone must not pass for an already-deleted record. */
export function isMissingRecord(err: unknown): boolean {
  return err instanceof CloudflareApiFailure && err.hasCode(CLOUDFLARE_CODES.recordDoesNotExist);
}

export function createCloudflareRecordsApi(options: {
  readonly client: CloudflareClient;
  readonly zoneId: string;
  /** Records per list page. */
  readonly pageSize: number;
}): CloudflareRecordsApi {
  const { client, pageSize } = options;
  const records = `/zones/${encodeURIComponent(options.zoneId)}/dns_records`;
  const one = (id: string) => `${records}/${encodeURIComponent(id)}`;

  const body = (input: RecordInput, comment: string) => ({
    type: input.type,
    name: input.name,
    content: input.content,
    ttl: input.ttlSeconds,
    comment,
    ...(input.type === 'TXT' ? {} : { proxied: input.proxied }),
  });

  return {
    async list(query) {
      const found: CloudflareRecord[] = [];
      for (let page = 1; page <= MAX_PAGES; page += 1) {
        const { result, info } = await client.request({
          operation: 'list records',
          method: 'GET',
          path: records,
          query: { ...query, page, per_page: pageSize },
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
    },

    async get(id) {
      try {
        const { result } = await client.request({
          operation: 'read record',
          method: 'GET',
          path: one(id),
          result: recordSchema,
        });
        return result;
      } catch (err) {
        if (isMissingRecord(err)) {
          return undefined;
        }
        throw err;
      }
    },

    async create(input, comment) {
      const { result } = await client.request({
        operation: 'create record',
        method: 'POST',
        path: records,
        body: body(input, comment),
        result: managedRecordSchema,
      });
      return result;
    },

    async update(id, input, comment) {
      const { result } = await client.request({
        operation: 'update record',
        method: 'PATCH',
        path: one(id),
        body: body(input, comment),
        result: managedRecordSchema,
      });
      return result;
    },

    async setComment(id, comment) {
      await client.request({
        operation: 'mark record',
        method: 'PATCH',
        path: one(id),
        body: { comment },
        result: z.unknown(),
      });
    },

    async delete(id) {
      try {
        await client.request({
          operation: 'delete record',
          method: 'DELETE',
          path: one(id),
          result: z.unknown(),
        });
      } catch (err) {
        if (!isMissingRecord(err)) {
          throw err;
        }
      }
    },
  };
}
