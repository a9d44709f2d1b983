import { type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';

import type { PageQuery } from './paginate.ts';

/** Keyset position in a list ordered by `created_at DESC, id DESC`. */
export const newestFirstKeySchema = z.object({ createdAt: z.iso.datetime(), id: z.uuid() });
export type NewestFirstKey = z.infer<typeof newestFirstKeySchema>;

export function newestFirstKeyOf(row: { readonly createdAt: Date; readonly id: string }) {
  return { createdAt: row.createdAt.toISOString(), id: row.id };
}

/**
 * Orders a list newest first and applies one page of `query`: rows strictly after the
 * cursor's (created_at, id), which an index on (…, created_at DESC, id DESC) serves at the
 * same cost at any depth. The table must have `created_at` (ms precision) and a uuid `id`.
 */
export function pageNewestFirst<DB, TB extends keyof DB, O>(
  builder: SelectQueryBuilder<DB, TB, O>,
  query: PageQuery<NewestFirstKey>,
): SelectQueryBuilder<DB, TB, O> {
  const { after } = query;
  const positioned =
    after === undefined
      ? builder
      : builder.where(
          sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
        );
  return positioned
    .orderBy(sql`created_at`, 'desc')
    .orderBy(sql`id`, 'desc')
    .limit(query.limit)
    .offset(query.offset);
}
