import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry of this process's metrics, with Node's runtime metrics (heap, event loop, GC). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'rolerabbit' });
  collectDefaultMetrics({ register: registry, prefix: 'rolerabbit_' });
  return registry;
}
