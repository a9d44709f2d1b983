import { createRoute, z } from '@hono/zod-openapi';

import type { BreakerSnapshot } from '../../integrations/resilience/circuit-breaker.ts';
import { INTEGRATION_NAMES } from '../../integrations/resilience/integration-errors.ts';
import { createRouter } from '../create-router.ts';
import { requireAdmin } from '../middleware/require-admin.ts';
import { jsonResponse, problemResponses } from '../openapi/common-schemas.ts';

const breakerSchema = z
  .object({
    integration: z.enum(INTEGRATION_NAMES),
    name: z.string(),
    state: z.enum(['closed', 'open', 'half-open']),
    consecutiveFailures: z.int(),
    fires: z.int(),
    successes: z.int(),
    failures: z.int(),
    rejects: z.int(),
    timeouts: z.int(),
    latencyMeanMs: z.number(),
  })
  .openapi('BreakerState');

const listIntegrations = createRoute({
  method: 'get',
  path: '/admin/integrations',
  tags: ['Admin'],
  security: [{ bearerAuth: [] }],
  summary: "Circuit breakers of every integration: state and this process's counts",
  middleware: [requireAdmin()] as const,
  responses: {
    200: jsonResponse(
      'One entry per breaker, and the adapter each integration uses',
      z.object({
        data: z.array(breakerSchema),
        drivers: z
          .record(z.string(), z.string())
          .openapi({ example: { dns: 'cloudflare', geolocation: 'ipapi → offline' } }),
      }),
    ),
    401: problemResponses[401],
    403: { description: 'Not an administrator', content: problemResponses[401].content },
  },
});

const queueCountsSchema = z
  .object({
    queue: z.string(),
    waiting: z.int(),
    active: z.int(),
    delayed: z.int(),
    failed: z.int(),
    completed: z.int(),
  })
  .openapi('QueueCounts');

const listQueues = createRoute({
  method: 'get',
  path: '/admin/queues',
  tags: ['Admin'],
  security: [{ bearerAuth: [] }],
  summary: 'Jobs in each background queue by state',
  middleware: [requireAdmin()] as const,
  responses: {
    200: jsonResponse('One entry per queue', z.object({ data: z.array(queueCountsSchema) })),
    401: problemResponses[401],
    403: { description: 'Not an administrator', content: problemResponses[401].content },
  },
});

export type QueueCountsByName = Readonly<
  Record<
    string,
    Readonly<Record<'waiting' | 'active' | 'delayed' | 'failed' | 'completed', number>>
  >
>;

export function adminRoutes(deps: {
  readonly readBreakers: () => readonly BreakerSnapshot[];
  readonly readQueueCounts: () => Promise<QueueCountsByName>;
  /** Integration → the adapter serving it (R-PLAT-6). */
  readonly activeDrivers: Readonly<Record<string, string>>;
}) {
  const router = createRouter();
  router.openapi(listQueues, async (c) => {
    const counts = await deps.readQueueCounts();
    return c.json(
      { data: Object.entries(counts).map(([queue, byState]) => ({ queue, ...byState })) },
      200,
    );
  });
  return router.openapi(listIntegrations, (c) =>
    c.json(
      {
        data: deps.readBreakers().map((snapshot) => ({
          ...snapshot,
          latencyMeanMs: Number.isFinite(snapshot.latencyMeanMs) ? snapshot.latencyMeanMs : 0,
        })),
        drivers: deps.activeDrivers,
      },
      200,
    ),
  );
}
