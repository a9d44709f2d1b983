import { Counter, Histogram, type Registry } from 'prom-client';

import type { DatabaseObserver } from '../db/create-database.ts';

/** Statements, their durations, pool waits and timeouts (R-PERF-9, R-SEC-1). */
export function createDatabaseMetrics(registry: Registry): DatabaseObserver {
  const queries = new Histogram({
    name: 'rolerabbit_db_query_duration_seconds',
    help: 'Duration of each SQL statement, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  const poolWaits = new Counter({
    name: 'rolerabbit_db_pool_waits_total',
    help: 'Connection checkouts that found every pooled connection busy and queued',
    registers: [registry],
  });
  const timeouts = new Counter({
    name: 'rolerabbit_db_timeouts_total',
    help: 'Pool acquire timeouts (kind=pool) and statement timeouts (kind=statement)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  return {
    onQuery(durationMs, failed) {
      queries.observe({ outcome: failed ? 'error' : 'ok' }, durationMs / 1000);
    },
    onPoolWait() {
      poolWaits.inc();
    },
    onTimeout(kind) {
      timeouts.inc({ kind });
    },
  };
}
