import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { DEFAULT_RETENTION, type JobCatalog } from './job-catalog.ts';
import type { JobHandler, JobHandlers, JobOutcome } from './job-handler.ts';

const catalog = {
  'site.build': {
    queue: 'deployments',
    payload: z.object({ siteId: z.string() }),
    attempts: 4,
    backoff: { type: 'exponential', delayMs: 2_000 },
    ...DEFAULT_RETENTION,
  },
  'site.export': {
    queue: 'pdf',
    payload: z.object({ pages: z.number() }),
    attempts: 2,
    backoff: { type: 'fixed', delayMs: 1_000 },
    ...DEFAULT_RETENTION,
  },
} as const satisfies JobCatalog;

const done = (): Promise<JobOutcome> => Promise.resolve({ status: 'done' });

describe('JobHandlers', () => {
  it('types each handler with its own parsed payload', () => {
    const build: JobHandler<{ siteId: string }> = ({ siteId }) =>
      Promise.resolve({ status: 'skipped', reason: siteId });

    const handlers: JobHandlers<typeof catalog> = { 'site.build': build, 'site.export': done };

    expect(Object.keys(handlers).sort()).toEqual(Object.keys(catalog).sort());
  });

  it('does not compile when a catalog job has no handler or a handler has the wrong payload', () => {
    // @ts-expect-error: 'site.export' has no handler
    const missing: JobHandlers<typeof catalog> = { 'site.build': done };
    const wrongPayload: JobHandlers<typeof catalog> = {
      'site.build': done,
      // @ts-expect-error: site.export's payload has no siteId
      'site.export': ({ siteId }: { siteId: string }) =>
        Promise.resolve({ status: 'done', reason: siteId }),
    };

    expect([missing, wrongPayload]).toHaveLength(2);
  });
});
