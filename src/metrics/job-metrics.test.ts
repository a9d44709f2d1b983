import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { createJobMetrics } from './job-metrics.ts';

describe(createJobMetrics.name, () => {
  it('counts runs delayed until a rate limit ends, by job and queue', async () => {
    const registry = new Registry();
    const observer = createJobMetrics(registry);
    const event = { jobName: 'dns.sync_subdomain', queue: 'webhooks', attempt: 1, durationMs: 5 };

    observer.onDelayed?.({ ...event, untilMs: Date.now() + 60_000, reason: 'rate limited' });
    observer.onDelayed?.({ ...event, untilMs: Date.now() + 60_000, reason: 'rate limited' });

    const text = await registry.metrics();
    expect(text).toContain(
      'rolerabbit_jobs_delayed_total{job="dns.sync_subdomain",queue="webhooks"} 2',
    );
  });
});
