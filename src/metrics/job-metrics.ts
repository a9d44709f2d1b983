import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

import type { JobObserver } from '../jobs/job-handler.ts';

/** Job runs by name and outcome, and their durations (R-JOB-14). */
export function createJobMetrics(registry: Registry): JobObserver {
  const runs = new Counter({
    name: 'rolerabbit_job_runs_total',
    help: 'Job runs by job name and outcome (completed, retrying, failed)',
    labelNames: ['job', 'queue', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'rolerabbit_job_duration_seconds',
    help: 'Duration of one job run',
    labelNames: ['job', 'queue'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const delayed = new Counter({
    name: 'rolerabbit_jobs_delayed_total',
    help: 'Job runs put back, without using an attempt, until a vendor rate limit ends (blocked until)',
    labelNames: ['job', 'queue'] as const,
    registers: [registry],
  });
  return {
    onDelayed(event) {
      delayed.inc({ job: event.jobName, queue: event.queue });
    },
    onCompleted(event) {
      runs.inc({ job: event.jobName, queue: event.queue, outcome: 'completed' });
      duration.observe({ job: event.jobName, queue: event.queue }, event.durationMs / 1000);
    },
    onFailed(event) {
      const outcome = event.willRetry ? 'retrying' : 'failed';
      runs.inc({ job: event.jobName, queue: event.queue, outcome });
      duration.observe({ job: event.jobName, queue: event.queue }, event.durationMs / 1000);
    },
  };
}

/** Jobs per queue and state, read from Redis at scrape time; skipped while Redis is down. */
export function registerQueueGauge(
  registry: Registry,
  readCounts: () => Promise<Readonly<Record<string, Readonly<Record<string, number>>>>>,
): void {
  new Gauge({
    name: 'rolerabbit_queue_jobs',
    help: 'Jobs in each queue by state (waiting, active, delayed, failed, completed)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      try {
        for (const [queue, counts] of Object.entries(await readCounts())) {
          for (const [state, count] of Object.entries(counts)) {
            this.set({ queue, state }, count);
          }
        }
      } catch {
        // The scrape still answers; the queue series are just absent while Redis is down.
        this.reset();
      }
    },
  });
}
