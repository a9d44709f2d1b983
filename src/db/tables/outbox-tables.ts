import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

/**
 * Jobs written in the same transaction as the business rows they act on, waiting for the
 * relay to add them to their queue (R-JOB-1).
 */
export interface JobOutboxTable {
  /** bigint identity: read as a string. */
  id: Generated<string>;
  /** A catalog job name (`area.action`). */
  job_name: string;
  /** The BullMQ job id: deterministic (the deployment or export id), so re-adds are ignored. */
  job_id: string;
  /** Written as a JSON string, read parsed. */
  payload: ColumnType<unknown, string, never>;
  /** Not tried before this time; pushed forward after a permanent refusal. */
  available_at: Timestamp;
  /** Failed adds so far. */
  attempts: Generated<number>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  sent_at: NullableTimestamp;
}

/** Tables of the job outbox, merged into `Database`. */
export interface OutboxTables {
  job_outbox: JobOutboxTable;
}
