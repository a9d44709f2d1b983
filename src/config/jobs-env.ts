import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

const workers = z.coerce.number().int().min(1).max(100);
const milliseconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Time left after the workers' grace for handing jobs back and closing connections. */
export const JOBS_SHUTDOWN_HEADROOM_MS = 2_000;

/** Background jobs (R-JOB-1, R-JOB-13): queue prefix, concurrency, outbox relay, shutdown. */
export const jobsEnvShape = {
  /** BullMQ key prefix; `{...}` keeps every queue in one Redis Cluster slot. */
  JOBS_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9{}_-]{1,32}$/, 'letters, digits, _, -, { and } (at most 32)')
    .default('rr-jobs'),
  JOBS_DEPLOYMENT_CONCURRENCY: workers.default(3),
  JOBS_PDF_CONCURRENCY: workers.default(5),
  JOBS_WEBHOOK_CONCURRENCY: workers.default(10),
  /** How long a stopping worker lets active jobs finish before handing them back. */
  JOBS_SHUTDOWN_GRACE_MS: milliseconds(0, 10 * 60 * 1000).default(7_000),
  /** A producer gives up on an add after this long (Redis down): the outbox keeps the row. */
  JOBS_ADD_TIMEOUT_MS: milliseconds(100, 60_000).default(3_000),
  /** The outbox sweep interval; NOTIFY wakes the relay sooner. */
  JOBS_OUTBOX_POLL_MS: milliseconds(50, 60_000).default(1_000),
  JOBS_OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  /** LISTEN needs a session connection (DATABASE_DIRECT_URL); off means polling only. */
  JOBS_OUTBOX_LISTEN: z.stringbool().default(true),
  /**
   * How often the `work` role requeues unfinished work (deployments, exports, due webhook
   * deliveries) whose job Redis lost; work idle this long is looked at.
   */
  JOBS_RECOVERY_INTERVAL_MS: milliseconds(50, 60 * 60 * 1000).default(60_000),
};

export type JobsEnv = z.infer<z.ZodObject<typeof jobsEnvShape>>;

export interface JobsConfig {
  readonly prefix: string;
  /** Worker concurrency per queue, in this process. Keys are the catalog's queue names. */
  readonly concurrency: {
    readonly deployments: number;
    readonly pdf: number;
    readonly webhooks: number;
  };
  readonly shutdownGraceMs: number;
  readonly addTimeoutMs: number;
  readonly outbox: {
    readonly pollIntervalMs: number;
    readonly batchSize: number;
    readonly listen: boolean;
  };
  /** See JOBS_RECOVERY_INTERVAL_MS. @defaultValue 60000 */
  readonly recoveryIntervalMs: number;
}

/**
 * Builds the jobs config. Given SHUTDOWN_GRACE_MS too (env.ts passes the whole parsed env), it
 * checks that the workers' grace fits inside the process's shutdown budget.
 */
export function buildJobsConfig(env: JobsEnv & { readonly SHUTDOWN_GRACE_MS?: number }): {
  readonly config: JobsConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const processGraceMs = env.SHUTDOWN_GRACE_MS;
  if (
    processGraceMs !== undefined &&
    env.JOBS_SHUTDOWN_GRACE_MS + JOBS_SHUTDOWN_HEADROOM_MS > processGraceMs
  ) {
    problems.push({
      variable: 'JOBS_SHUTDOWN_GRACE_MS',
      message: `must be at least ${String(JOBS_SHUTDOWN_HEADROOM_MS)} ms below SHUTDOWN_GRACE_MS (${String(processGraceMs)}) so jobs can be handed back before the process exits`,
    });
  }
  return {
    config: {
      prefix: env.JOBS_QUEUE_PREFIX,
      concurrency: {
        deployments: env.JOBS_DEPLOYMENT_CONCURRENCY,
        pdf: env.JOBS_PDF_CONCURRENCY,
        webhooks: env.JOBS_WEBHOOK_CONCURRENCY,
      },
      shutdownGraceMs: env.JOBS_SHUTDOWN_GRACE_MS,
      addTimeoutMs: env.JOBS_ADD_TIMEOUT_MS,
      outbox: {
        pollIntervalMs: env.JOBS_OUTBOX_POLL_MS,
        batchSize: env.JOBS_OUTBOX_BATCH_SIZE,
        listen: env.JOBS_OUTBOX_LISTEN,
      },
      recoveryIntervalMs: env.JOBS_RECOVERY_INTERVAL_MS,
    },
    problems,
  };
}
