import type { Logger } from 'pino';

import type { DefaultJobCatalog, JobCatalog, JobNameOf, JobPayloadOf } from './job-catalog.ts';

/** What a handler knows about the run it is in. */
export interface JobContext {
  readonly jobName: string;
  readonly jobId: string;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /**
   * Aborted when the worker stops and the grace period is over: pass it to I/O and stop
   * soon after; the job goes back to the queue without using up an attempt.
   */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** 0–100, visible to queue monitoring. */
  updateProgress(percent: number): Promise<void>;
}

/** Expected results are returned; failures are thrown (see `isRetryableJobError`). */
export interface JobOutcome {
  readonly status: 'done' | 'skipped';
  readonly reason?: string;
}

export type JobHandler<Payload> = (payload: Payload, context: JobContext) => Promise<JobOutcome>;

/** One handler per catalog job: a job without a handler does not compile. */
export type JobHandlers<C extends JobCatalog = DefaultJobCatalog> = {
  readonly [N in JobNameOf<C>]: JobHandler<JobPayloadOf<C, N>>;
};

export interface JobRunEvent {
  readonly jobName: string;
  readonly queue: string;
  readonly attempt: number;
  readonly durationMs: number;
}

/** Optional hooks for metrics; a throwing observer never affects the job. */
export interface JobObserver {
  onCompleted?(event: JobRunEvent): void;
  onFailed?(event: JobRunEvent & { readonly willRetry: boolean; readonly reason: string }): void;
  /** The run was put back until `untilMs` (a rate limit in force) without using an attempt. */
  onDelayed?(event: JobRunEvent & { readonly untilMs: number; readonly reason: string }): void;
}
