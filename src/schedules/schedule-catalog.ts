/** A maintenance task: one SQL function, safe to run twice, on a cron schedule (UTC). */
export interface ScheduleDefinition {
  readonly name: string;
  /** Five-field cron; pg_cron 1.4 has minute granularity. */
  readonly cron: string;
  /** The SQL that runs, e.g. `SELECT rolerabbit_cleanup_share_links()`. */
  readonly command: string;
  /** Why it runs at this cadence. */
  readonly why: string;
}

/** Every scheduled task; the `schedule` role installs these into pg_cron. */
export const SCHEDULE_CATALOG: readonly ScheduleDefinition[] = [];
