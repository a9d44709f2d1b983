import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { InvalidInputError } from '../errors/app-error.ts';
import { DEFAULT_RETENTION, type JobCatalog } from './job-catalog.ts';
import { checkJobPayload, validateJobToAdd } from './validate-job.ts';

const catalog = {
  'site.build': {
    queue: 'deployments',
    payload: z.object({ siteId: z.uuid(), pages: z.number().int().default(1) }),
    attempts: 4,
    backoff: { type: 'exponential', delayMs: 2_000 },
    ...DEFAULT_RETENTION,
  },
} as const satisfies JobCatalog;

const siteId = '3f1c2a4e-8b7d-4c6e-9a1b-2d3e4f5a6b7c';

describe(checkJobPayload.name, () => {
  it('returns the parsed payload with defaults applied and unknown keys dropped', () => {
    expect(checkJobPayload(catalog, 'site.build', { siteId, extra: true })).toMatchObject({
      ok: true,
      payload: { siteId, pages: 1 },
    });
  });

  it('explains every invalid field', () => {
    const check = checkJobPayload(catalog, 'site.build', { siteId: 'nope', pages: 1.5 });

    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toMatch(
      /^invalid payload for site\.build: siteId .+; pages .+$/,
    );
  });

  it('does not find names inherited from Object.prototype', () => {
    expect(checkJobPayload(catalog, 'toString', {})).toMatchObject({
      ok: false,
      reason: 'unknown job "toString"',
    });
  });
});

describe(validateJobToAdd.name, () => {
  it.each(['123', 'a:b', '', 'x'.repeat(201), 'has space'])('refuses the job id %j', (jobId) => {
    expect(() =>
      validateJobToAdd(catalog, { jobName: 'site.build', jobId, payload: { siteId } }),
    ).toThrow(InvalidInputError);
  });

  it('accepts a UUID id and returns the definition and parsed payload', () => {
    const { definition, payload } = validateJobToAdd(catalog, {
      jobName: 'site.build',
      jobId: siteId,
      payload: { siteId },
    });

    expect(definition.queue).toBe('deployments');
    expect(payload).toEqual({ siteId, pages: 1 });
  });
});
