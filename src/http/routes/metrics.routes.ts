import type { Registry } from 'prom-client';

import { createRouter } from '../create-router.ts';

/** Prometheus scrape endpoint. Served without auth: expose it only on a private network. */
export function metricsRoutes(deps: { readonly registry: Registry }) {
  const router = createRouter();
  router.get('/metrics', async (c) => {
    const body = await deps.registry.metrics();
    return c.body(body, 200, {
      'content-type': deps.registry.contentType,
      'cache-control': 'no-store',
    });
  });
  return router;
}
