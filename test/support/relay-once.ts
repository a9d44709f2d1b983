import type { Kysely } from 'kysely';
import { pino } from 'pino';

import type { Database } from '../../src/db/database-types.ts';
import { createBullConnection } from '../../src/jobs/create-bull-connection.ts';
import { createJobProducer } from '../../src/jobs/create-job-producer.ts';
import { JOB_CATALOG } from '../../src/jobs/job-catalog.ts';
import { createOutboxRelay } from '../../src/jobs/outbox/create-outbox-relay.ts';

/** Moves every due outbox row to its BullMQ queue once, as the `work` role's relay would. */
export async function relayOutboxOnce(
  db: Kysely<Database>,
  redisUrl: string,
  prefix: string,
): Promise<void> {
  const logger = pino({ level: 'silent' });
  const producer = createJobProducer({
    catalog: JOB_CATALOG,
    connection: createBullConnection({ url: redisUrl, role: 'producer', logger }),
    prefix,
    logger,
  });
  const relay = createOutboxRelay({ db, producer, logger });
  try {
    await relay.sweep();
  } finally {
    await relay.close();
    await producer.close();
  }
}
