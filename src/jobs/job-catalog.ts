import { z } from 'zod';

/** Queues by workload profile; each gets one Worker per `work` process (R-JOB-13). */
export const QUEUE_NAMES = ['deployments', 'pdf', 'webhooks'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** BullMQ's retention: keep at most `count` jobs, none older than `ageSeconds`. */
export interface JobRetention {
  readonly ageSeconds: number;
  readonly count: number;
}

/** What every background job declares once: where it runs, what it takes, how it retries. */
export interface JobDefinition<Payload extends z.ZodType = z.ZodType> {
  readonly queue: QueueName;
  /**
   * Checked when the job is added and again when a worker takes it, so it must accept its
   * own output: plain objects, no transforms.
   */
  readonly payload: Payload;
  /** Total tries, the first included: 4 means 3 retries. */
  readonly attempts: number;
  /** Exponential waits `delayMs × 2^(retry − 1)`: 2 s, 4 s, 8 s for 2000. */
  readonly backoff: { readonly type: 'exponential' | 'fixed'; readonly delayMs: number };
  /** Trimming of finished jobs so Redis memory stays flat; history lives in PostgreSQL. */
  readonly keepCompleted: JobRetention;
  readonly keepFailed: JobRetention;
}

export type JobCatalog = Readonly<Record<string, JobDefinition>>;
export type JobNameOf<C extends JobCatalog> = keyof C & string;
/** What a producer passes (before zod defaults and transforms). */
export type JobInputOf<C extends JobCatalog, N extends JobNameOf<C>> = z.input<C[N]['payload']>;
/** What a handler receives (after parsing). */
export type JobPayloadOf<C extends JobCatalog, N extends JobNameOf<C>> = z.output<C[N]['payload']>;

const HOUR_SECONDS = 60 * 60;

/** A day or the last 1000 completed jobs; a week or the last 5000 failed ones. */
export const DEFAULT_RETENTION = {
  keepCompleted: { ageSeconds: 24 * HOUR_SECONDS, count: 1_000 },
  keepFailed: { ageSeconds: 7 * 24 * HOUR_SECONDS, count: 5_000 },
} as const satisfies Pick<JobDefinition, 'keepCompleted' | 'keepFailed'>;

/**
 * Job name (`area.action`) → definition: the single source of truth for producers, the
 * outbox and workers. Adding an entry makes `JobHandlers` demand its handler.
 */
export const JOB_CATALOG = {
  /** Runs (or resumes) one deployment; the deployment id is the job id (R-JOB-2 … R-JOB-5). */
  'deployment.run': {
    queue: 'deployments',
    payload: z.object({ deploymentId: z.uuid() }),
    // R-JOB-4: 3 retries after 2 s, 4 s and 8 s; each resumes at the first unfinished step.
    attempts: 4,
    backoff: { type: 'exponential', delayMs: 2_000 },
    ...DEFAULT_RETENTION,
  },
  /**
   * Mails the requester of a deployment that failed for good (R-JOB-5). Written to the outbox
   * with the FAILED status, under job id `deployment-failed-<id>`, so it exists once; the
   * mail's idempotency key keeps a rerun from sending it twice.
   */
  'deployment.notify_failure': {
    queue: 'deployments',
    payload: z.object({ deploymentId: z.uuid() }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 10_000 },
    ...DEFAULT_RETENTION,
  },
  /**
   * Renders one PDF export to the exports bucket (R-JOB-6); its READY mark queues
   * `export.notify_ready` for the mail (R-JOB-7).
   */
  'export.render': {
    queue: 'pdf',
    payload: z.object({ exportId: z.uuid() }),
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 2_000 },
    ...DEFAULT_RETENTION,
  },
  /**
   * Mails the requester of a READY export its signed link (R-JOB-7). Written to the outbox
   * with the READY status, under job id `export-ready-<id>`, so it exists once; the mail's
   * idempotency key keeps a rerun from sending it twice. A mail that keeps failing never
   * touches the export, which stays READY with its link readable through the API.
   * On `webhooks`, the queue of short outbound calls to third parties, not `pdf`: a mail must
   * not wait behind long renders, nor take one of the renders' concurrency slots.
   */
  'export.notify_ready': {
    queue: 'webhooks',
    payload: z.object({ exportId: z.uuid() }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 10_000 },
    ...DEFAULT_RETENTION,
  },
  /**
   * Brings one portfolio's DNS record at one subdomain in line with the portfolio (R-SEC-2):
   * written to the outbox with every rename, publish, unpublish and delete, so a freed name is
   * removed and a republished one re-created. Acts on the state when it runs and deletes only
   * records still marked as the portfolio's, so late, repeated or reordered runs are harmless.
   * Job id `dns-sync-<portfolio>-<subdomain>-<transaction>`: one per change, kept once by the
   * outbox. A vendor's rate limit delays it without using an attempt.
   */
  'dns.sync_subdomain': {
    queue: 'webhooks',
    payload: z.object({
      portfolioId: z.uuid(),
      subdomain: z.string().regex(/^[a-z0-9]([a-z0-9-]{1,61})[a-z0-9]$/),
    }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 10_000 },
    ...DEFAULT_RETENTION,
  },
  /**
   * One run of a webhook delivery: one signed attempt, recorded (R-SEC-3). Job id
   * `webhook-<delivery>-<run>`; the next attempt of the schedule is a new run written to the
   * outbox with its delay, so waits of hours sit in PostgreSQL. The queue's own retries only
   * cover a run that could not record its outcome (PostgreSQL unreachable).
   */
  'webhook.deliver': {
    queue: 'webhooks',
    payload: z.object({ deliveryId: z.uuid(), run: z.int().min(0) }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 10_000 },
    ...DEFAULT_RETENTION,
  },
  /**
   * Mails an endpoint's owner that it was disabled after days without a 2xx. Job id
   * `webhook-disabled-<endpoint>-<ms>`, written with the disabling; the mail's idempotency key
   * names the same occasion.
   */
  'webhook.notify_disabled': {
    queue: 'webhooks',
    payload: z.object({ endpointId: z.uuid(), disabledAt: z.iso.datetime() }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 10_000 },
    ...DEFAULT_RETENTION,
  },
  /**
   * Mails OPERATOR_EMAIL that the global endpoint has had no 2xx for days (it is never
   * disabled). Job id `webhook-operator-<ms>`, once per failing streak.
   */
  'webhook.notify_operator': {
    queue: 'webhooks',
    payload: z.object({ alertedAt: z.iso.datetime() }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 10_000 },
    ...DEFAULT_RETENTION,
  },
} as const satisfies JobCatalog;

export type DefaultJobCatalog = typeof JOB_CATALOG;
export type JobName = JobNameOf<DefaultJobCatalog>;

/** The queues the `work` role must consume, each once. */
export function listQueues(catalog: JobCatalog): QueueName[] {
  return [...new Set(Object.values(catalog).map((definition) => definition.queue))].sort();
}

/** A catalog's definition by a name read at run time (outbox rows, jobs taken from Redis). */
export function findJobDefinition(catalog: JobCatalog, name: string): JobDefinition | undefined {
  return Object.hasOwn(catalog, name) ? catalog[name] : undefined;
}
