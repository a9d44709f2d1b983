import type { z } from 'zod';

import { type FieldIssue, InvalidInputError } from '../errors/app-error.ts';
import { findJobDefinition, type JobCatalog, type JobDefinition } from './job-catalog.ts';

/**
 * BullMQ refuses integer-looking custom ids and gives `:` a meaning of its own; ids are UUIDs
 * or similar keys.
 */
const JOB_ID_PATTERN = /^(?!\d+$)[A-Za-z0-9_.-]{1,200}$/;

export type PayloadCheck =
  | { readonly ok: true; readonly definition: JobDefinition; readonly payload: unknown }
  | { readonly ok: false; readonly reason: string; readonly fieldIssues: readonly FieldIssue[] };

function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(payload)',
    message: issue.message,
  }));
}

/** Checks a payload against its job's schema; returns the parsed payload or why it failed. */
export function checkJobPayload(
  catalog: JobCatalog,
  jobName: string,
  payload: unknown,
): PayloadCheck {
  const definition = findJobDefinition(catalog, jobName);
  if (definition === undefined) {
    return {
      ok: false,
      reason: `unknown job "${jobName}"`,
      fieldIssues: [{ path: 'jobName', message: 'is not in the job catalog' }],
    };
  }
  const parsed = definition.payload.safeParse(payload);
  if (!parsed.success) {
    const fieldIssues = toFieldIssues(parsed.error);
    return {
      ok: false,
      reason: `invalid payload for ${jobName}: ${fieldIssues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      fieldIssues,
    };
  }
  return { ok: true, definition, payload: parsed.data };
}

export interface JobToAdd {
  readonly jobName: string;
  readonly jobId: string;
  readonly payload: unknown;
}

/**
 * Validates a job before it is queued or written to the outbox: a known name, a payload its
 * schema accepts and an id BullMQ can use. Throws InvalidInputError listing the problems.
 */
export function validateJobToAdd(
  catalog: JobCatalog,
  job: JobToAdd,
): { readonly definition: JobDefinition; readonly payload: unknown } {
  const check = checkJobPayload(catalog, job.jobName, job.payload);
  const idIssues: FieldIssue[] = JOB_ID_PATTERN.test(job.jobId)
    ? []
    : [{ path: 'jobId', message: 'must be 1-200 of A-Z a-z 0-9 _ . - and not only digits' }];
  if (!check.ok || idIssues.length > 0) {
    const fieldIssues = [...(check.ok ? [] : check.fieldIssues), ...idIssues];
    throw new InvalidInputError(
      'request.invalid',
      check.ok ? `invalid job id for ${job.jobName}` : check.reason,
      { fieldIssues },
    );
  }
  return { definition: check.definition, payload: check.payload };
}
