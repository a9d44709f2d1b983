import type { Redis } from 'ioredis';

// BullMQ keeps waiting and delayed jobs only in Redis (R-SEC-3): without an append-only file a
// restart loses them, and any eviction policy but noeviction deletes queue keys under memory
// pressure. PostgreSQL stays the source of truth (the recovery sweeps requeue what is lost),
// but an operator should know when the server is set up to lose work.

/** The settings BullMQ needs, and the value each should have. */
export const DURABLE_QUEUE_SETTINGS = {
  appendonly: 'yes',
  appendfsync: 'everysec',
  'maxmemory-policy': 'noeviction',
} as const;

export interface SettingMismatch {
  readonly setting: keyof typeof DURABLE_QUEUE_SETTINGS;
  readonly actual: string;
  readonly wanted: string;
}

/**
 * The settings that differ from {@link DURABLE_QUEUE_SETTINGS}; undefined when the server does
 * not let us read them (managed services often disable CONFIG).
 */
export async function findQueueDurabilityGaps(
  redis: Pick<Redis, 'config'>,
): Promise<SettingMismatch[] | undefined> {
  const gaps: SettingMismatch[] = [];
  for (const [setting, wanted] of Object.entries(DURABLE_QUEUE_SETTINGS) as [
    keyof typeof DURABLE_QUEUE_SETTINGS,
    string,
  ][]) {
    let reply: unknown;
    try {
      reply = await redis.config('GET', setting);
    } catch {
      return undefined;
    }
    const actual = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : '';
    if (actual !== wanted) {
      gaps.push({ setting, actual, wanted });
    }
  }
  return gaps;
}
