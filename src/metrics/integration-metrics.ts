import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

import type { BreakerSnapshot } from '../integrations/resilience/circuit-breaker.ts';
import type { AttemptObserver } from '../integrations/resilience/resilient-call.ts';

const STATE_VALUE: Record<BreakerSnapshot['state'], number> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

/**
 * Prometheus series for every integration: attempts by outcome and their durations as they
 * happen, and the breakers' state and counts read when scraped.
 */
export function createIntegrationMetrics(
  registry: Registry,
  readBreakers: () => readonly BreakerSnapshot[],
): AttemptObserver {
  const attempts = new Counter({
    name: 'rolerabbit_integration_attempts_total',
    help: 'Attempts of external calls, by integration and outcome',
    labelNames: ['integration', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'rolerabbit_integration_attempt_duration_seconds',
    help: 'Duration of one attempt of an external call',
    labelNames: ['integration'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'rolerabbit_integration_rate_limited_total',
    help: 'HTTP 429 answers from vendors, by integration (waited out or not)',
    labelNames: ['integration'] as const,
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: (snapshot: BreakerSnapshot) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['integration', 'breaker'] as const,
      registers: [registry],
      collect() {
        for (const snapshot of readBreakers()) {
          this.set({ integration: snapshot.integration, breaker: snapshot.name }, read(snapshot));
        }
      },
    });
  gauge(
    'rolerabbit_breaker_state',
    'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    (snapshot) => STATE_VALUE[snapshot.state],
  );
  gauge('rolerabbit_breaker_failures', 'Failures counted in the rolling window', (s) => s.failures);
  gauge(
    'rolerabbit_breaker_rejects',
    'Calls rejected while open, rolling window',
    (s) => s.rejects,
  );
  gauge('rolerabbit_breaker_timeouts', 'Attempts that timed out since start', (s) => s.timeouts);
  gauge('rolerabbit_breaker_latency_mean_ms', 'Mean attempt latency, rolling window', (s) =>
    Number.isFinite(s.latencyMeanMs) ? s.latencyMeanMs : 0,
  );

  return {
    onAttempt(integration, outcome, durationMs) {
      attempts.inc({ integration, outcome });
      duration.observe({ integration }, durationMs / 1000);
    },
    onRateLimited(integration) {
      rateLimited.inc({ integration });
    },
  };
}

/**
 * Webhook targets each have a breaker; exporting one series per target would put customers'
 * URLs in labels and grow without bound, so only the number of targets per state is exported.
 */
export function registerTargetBreakerGauge(
  registry: Registry,
  readTargets: () => readonly BreakerSnapshot[],
): void {
  new Gauge({
    name: 'rolerabbit_webhook_target_breakers',
    help: 'Webhook delivery targets by breaker state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts: Record<BreakerSnapshot['state'], number> = {
        closed: 0,
        'half-open': 0,
        open: 0,
      };
      for (const snapshot of readTargets()) {
        counts[snapshot.state] += 1;
      }
      for (const [state, count] of Object.entries(counts)) {
        this.set({ state }, count);
      }
    },
  });
}
