import { z } from 'zod';

import { type DnsRecord, OWNER_MARK_PREFIX } from './dns-provider.ts';
import { isDnsRecordType } from './parse-record-input.ts';

/** A DNS record as Cloudflare API v4 shows it (fields we do not use are dropped). */
export const recordSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  name: z.string(),
  content: z.string(),
  ttl: z.number(),
  proxied: z.boolean().optional(),
  comment: z.string().nullable().optional(),
  created_on: z.string().optional(),
});
export type CloudflareRecord = z.infer<typeof recordSchema>;

/** Cloudflare may show TXT content as quoted RFC 1035 strings (`"ab" "cd"`); we want `abcd`. */
export function unquoteTxt(content: string): string {
  const chunks = content.match(/"((?:[^"\\]|\\.)*)"/g);
  if (!content.startsWith('"') || chunks === null) {
    return content;
  }
  return chunks.map((chunk) => chunk.slice(1, -1).replace(/\\(.)/g, '$1')).join('');
}

/** The owner our mark in `comment` names, or null for a record we did not create. */
export function ownerOf(record: Pick<CloudflareRecord, 'comment'>): string | null {
  const comment = record.comment ?? '';
  const owner = comment.startsWith(OWNER_MARK_PREFIX)
    ? comment.slice(OWNER_MARK_PREFIX.length)
    : '';
  return owner === '' ? null : owner;
}

/** The comment that marks a record as `owner`'s. */
export function markOf(owner: string): string {
  return `${OWNER_MARK_PREFIX}${owner}`;
}

/** What ownership checks compare: the type, the name and content as we write them, the owner. */
export function viewOf(record: CloudflareRecord) {
  return {
    record,
    type: record.type,
    name: record.name.toLowerCase(),
    content: record.type === 'TXT' ? unquoteTxt(record.content) : record.content,
    owner: ownerOf(record),
  };
}

export function toRecord(record: CloudflareRecord): DnsRecord | undefined {
  if (!isDnsRecordType(record.type)) {
    return undefined;
  }
  return {
    id: record.id,
    type: record.type,
    name: record.name.toLowerCase(),
    content: record.type === 'TXT' ? unquoteTxt(record.content) : record.content,
    ttlSeconds: record.ttl,
    proxied: record.proxied ?? false,
    owner: ownerOf(record),
  };
}

/** A record we wrote must come back as one of the types we manage. */
export const managedRecordSchema = recordSchema.transform((record, context) => {
  const managed = toRecord(record);
  if (managed === undefined) {
    context.addIssue({ code: 'custom', message: `unexpected record type ${record.type}` });
    return z.NEVER;
  }
  return managed;
});

/** Oldest first, ties by id: every racing process picks the same survivor. */
export function byAge(a: CloudflareRecord, b: CloudflareRecord): number {
  return (a.created_on ?? '').localeCompare(b.created_on ?? '') || a.id.localeCompare(b.id);
}
