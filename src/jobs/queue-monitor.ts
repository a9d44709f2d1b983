import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { QUEUE_NAMES, type QueueName } from './job-catalog.ts';

export const MONITORED_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
export type MonitoredState = (typeof MONITORED_STATES)[number];

export type QueueCounts = Readonly<Record<MonitoredState, number>>;

export interface QueueMonitor {
  /** Job counts per queue and state, read from Redis now (R-JOB-14). */
  counts(): Promise<Readonly<Record<QueueName, QueueCounts>>>;
  /** The queue handles, for the admin dashboard (Bull Board). */
  queues(): readonly Queue[];
  close(): Promise<void>;
}

/** Read-only views of every queue over one (fail-fast) connection, which it owns. */
export function createQueueMonitor(options: {
  readonly connection: Redis;
  readonly prefix: string;
}): QueueMonitor {
  const queues = QUEUE_NAMES.map(
    (name) =>
      [name, new Queue(name, { connection: options.connection, prefix: options.prefix })] as const,
  );
  return {
    async counts() {
      const entries = await Promise.all(
        queues.map(async ([name, queue]) => {
          const raw = await queue.getJobCounts(...MONITORED_STATES);
          const counts = Object.fromEntries(
            MONITORED_STATES.map((state) => [state, raw[state] ?? 0]),
          ) as Record<MonitoredState, number>;
          return [name, counts] as const;
        }),
      );
      return Object.fromEntries(entries) as Record<QueueName, QueueCounts>;
    },
    queues: () => queues.map(([, queue]) => queue),
    /** Also closes the connection it was given: the monitor owns it. */
    async close() {
      await Promise.all(queues.map(([, queue]) => queue.close()));
      await options.connection.quit().catch(() => {
        options.connection.disconnect();
      });
    },
  };
}
