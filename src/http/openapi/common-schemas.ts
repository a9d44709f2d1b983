import { z } from '@hono/zod-openapi';

import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageRequest } from '../../db/query/paginate.ts';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'portfolio.not_found' }),
    instance: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const problemContent = { 'application/problem+json': { schema: problemSchema } };

/** The error responses every authenticated route may give. */
export const problemResponses = {
  400: { description: 'Invalid input (field errors listed)', content: problemContent },
  401: { description: 'Missing or invalid bearer token', content: problemContent },
  404: { description: 'Not found, or not yours', content: problemContent },
} as const;

export const conflictResponse = {
  409: { description: 'Conflicts with existing data', content: problemContent },
} as const;

export const paginationQueryFields = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).optional().openapi({ example: 1 }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .openapi({ example: DEFAULT_PAGE_SIZE }),
  cursor: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .openapi({ description: 'Opaque keyset cursor from pagination.nextCursor' }),
});

/** Adds the rule that a list is asked for by page or by cursor, never both. */
export function withPaginationRules<T extends typeof paginationQueryFields>(schema: T) {
  return schema.refine((query) => query.page === undefined || query.cursor === undefined, {
    message: 'use either page or cursor, not both',
    path: ['cursor'],
  });
}

export const paginationQuerySchema = withPaginationRules(paginationQueryFields);

export function toPageRequest(query: z.infer<typeof paginationQueryFields>): PageRequest {
  return query.cursor === undefined
    ? { mode: 'page', page: query.page ?? 1, limit: query.limit }
    : { mode: 'cursor', cursor: query.cursor, limit: query.limit };
}

export const paginationSchema = z
  .object({
    page: z.int().optional(),
    limit: z.int(),
    total: z.int().optional(),
    totalPages: z.int().optional(),
    hasNext: z.boolean(),
    hasPrev: z.boolean().optional(),
    nextCursor: z.string().nullable(),
  })
  .openapi('Pagination');

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), pagination: paginationSchema });
}

/** A JSON response entry for a route's `responses`. */
export function jsonResponse<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } };
}

export const uuidParam = z.uuid().openapi({ param: { name: 'id', in: 'path' } });
