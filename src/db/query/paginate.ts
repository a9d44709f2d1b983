import type { z } from 'zod';

import type { CursorCodec } from './cursor-codec.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Either a numbered page (with a total) or a keyset position (flat cost at any depth). */
export type PageRequest =
  | { readonly mode: 'page'; readonly page: number; readonly limit: number }
  | { readonly mode: 'cursor'; readonly cursor: string; readonly limit: number };

export interface OffsetPagination {
  readonly page: number;
  readonly limit: number;
  readonly total: number;
  readonly totalPages: number;
  readonly hasNext: boolean;
  readonly hasPrev: boolean;
  /** Continue from here with `cursor=` to avoid deep OFFSET scans. */
  readonly nextCursor: string | null;
}

export interface CursorPagination {
  readonly limit: number;
  readonly hasNext: boolean;
  readonly nextCursor: string | null;
}

export interface Page<T> {
  readonly data: readonly T[];
  readonly pagination: OffsetPagination | CursorPagination;
}

export interface PageQuery<Key> {
  readonly limit: number;
  readonly offset: number;
  /** Rows strictly after this key in the list's order; undefined for the first page. */
  readonly after: Key | undefined;
}

export interface PageSource<Row, Key> {
  readonly keySchema: z.ZodType<Key>;
  keyOf(row: Row): Key;
  fetch(query: PageQuery<Key>): Promise<readonly Row[]>;
  count(): Promise<number>;
}

/**
 * Runs one list query in either mode. Fetches one extra row to learn whether a next page
 * exists without a second query.
 */
export async function paginate<Row, Key>(
  request: PageRequest,
  codec: CursorCodec,
  source: PageSource<Row, Key>,
): Promise<Page<Row>> {
  const { limit } = request;
  const nextCursorOf = (rows: readonly Row[], hasNext: boolean) => {
    const last = rows.at(-1);
    return hasNext && last !== undefined ? codec.encode(source.keyOf(last)) : null;
  };

  if (request.mode === 'cursor') {
    const after = codec.decode(request.cursor, source.keySchema);
    const rows = await source.fetch({ limit: limit + 1, offset: 0, after });
    const data = rows.slice(0, limit);
    const hasNext = rows.length > limit;
    return { data, pagination: { limit, hasNext, nextCursor: nextCursorOf(data, hasNext) } };
  }

  const offset = (request.page - 1) * limit;
  const [rows, total] = await Promise.all([
    source.fetch({ limit: limit + 1, offset, after: undefined }),
    source.count(),
  ]);
  const data = rows.slice(0, limit);
  const hasNext = rows.length > limit;
  return {
    data,
    pagination: {
      page: request.page,
      limit,
      total,
      totalPages: Math.ceil(total / limit),
      hasNext,
      hasPrev: request.page > 1,
      nextCursor: nextCursorOf(data, hasNext),
    },
  };
}
