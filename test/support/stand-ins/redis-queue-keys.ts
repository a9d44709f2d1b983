import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';

/** A BullMQ prefix of one test file's own, so files never see each other's queues. */
export function uniqueQueuePrefix(): string {
  return `t-jobs-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a BullMQ prefix (what a test file's queues left in Redis). */
export async function deleteQueueKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) {
        await client.del(...keys);
      }
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
}
