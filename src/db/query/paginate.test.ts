import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { createCursorCodec } from './cursor-codec.ts';
import { type PageQuery, type PageSource, paginate } from './paginate.ts';

const codec = createCursorCodec('k'.repeat(32));

/** An in-memory list ordered by descending number, standing in for a query. */
function numbersSource(
  count: number,
): PageSource<number, number> & { queries: PageQuery<number>[] } {
  const rows = Array.from({ length: count }, (_, index) => count - index);
  const queries: PageQuery<number>[] = [];
  return {
    queries,
    keySchema: z.int(),
    keyOf: (row) => row,
    fetch(query) {
      queries.push(query);
      const after = query.after;
      const remaining = after === undefined ? rows : rows.filter((row) => row < after);
      return Promise.resolve(remaining.slice(query.offset, query.offset + query.limit));
    },
    count: () => Promise.resolve(rows.length),
  };
}

describe(paginate.name, () => {
  it('computes page metadata and asks for one extra row', async () => {
    const source = numbersSource(45);

    const page = await paginate({ mode: 'page', page: 2, limit: 20 }, codec, source);

    expect(page.data).toEqual(Array.from({ length: 20 }, (_, index) => 25 - index));
    expect(page.pagination).toMatchObject({
      page: 2,
      limit: 20,
      total: 45,
      totalPages: 3,
      hasNext: true,
      hasPrev: true,
    });
    expect(source.queries).toEqual([{ limit: 21, offset: 20, after: undefined }]);
  });

  it('reports no next page on an exact fit', async () => {
    const page = await paginate({ mode: 'page', page: 1, limit: 10 }, codec, numbersSource(10));

    expect(page.pagination).toMatchObject({ hasNext: false, nextCursor: null, totalPages: 1 });
  });

  it('continues from a page into cursor mode without OFFSET', async () => {
    const source = numbersSource(12);
    const first = await paginate({ mode: 'page', page: 1, limit: 5 }, codec, source);
    const cursor = first.pagination.nextCursor ?? '';

    const next = await paginate({ mode: 'cursor', cursor, limit: 5 }, codec, source);

    expect(next.data).toEqual([7, 6, 5, 4, 3]);
    expect(source.queries.at(-1)).toEqual({ limit: 6, offset: 0, after: 8 });
    expect(next.pagination).not.toHaveProperty('total');
  });

  it('answers an empty list with zero pages', async () => {
    const page = await paginate({ mode: 'page', page: 1, limit: 20 }, codec, numbersSource(0));

    expect(page).toEqual({
      data: [],
      pagination: {
        page: 1,
        limit: 20,
        total: 0,
        totalPages: 0,
        hasNext: false,
        hasPrev: false,
        nextCursor: null,
      },
    });
  });
});
