import type { z } from 'zod';

/** What every background job declares once: where it runs, what it takes, how it retries. */
export interface JobDefinition<Payload> {
  readonly queue: string;
  readonly payload: z.ZodType<Payload>;
  readonly attempts: number;
  readonly backoff: { readonly type: 'exponential' | 'fixed'; readonly delayMs: number };
  readonly concurrency: number;
}

/**
 * Job name (`area.action`) → definition. The single source of truth for producers and
 * workers; deployments and PDF exports arrive with their handlers.
 */
export const JOB_CATALOG = {} as const satisfies Readonly<Record<string, JobDefinition<unknown>>>;

export type JobName = keyof typeof JOB_CATALOG;

/** The queues the `work` role must consume, each once. */
export function listQueues(catalog: Readonly<Record<string, JobDefinition<unknown>>>): string[] {
  return [...new Set(Object.values(catalog).map((definition) => definition.queue))].sort();
}
