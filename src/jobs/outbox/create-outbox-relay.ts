import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

import type { Database } from '../../db/database-types.ts';
import { withTransaction } from '../../db/transaction-scope.ts';
import { InvalidInputError, toError } from '../../errors/app-error.ts';
import type { JobToAdd } from '../validate-job.ts';
import {
  claimDueOutboxRows,
  deleteSentOutboxRows,
  markOutboxRowsSent,
  OUTBOX_CHANNEL,
  recordOutboxFailure,
} from './job-outbox.repository.ts';

/** Where rows go: `JobProducer.addRecord`. */
export interface OutboxTarget {
  addRecord(job: JobToAdd): Promise<unknown>;
}

export interface OutboxRelayOptions {
  readonly db: Kysely<Database>;
  readonly producer: OutboxTarget;
  readonly logger: Logger;
  /** A direct (session) PostgreSQL URL to LISTEN on; undefined: the sweep alone. */
  readonly listenUrl?: string | undefined;
  /** @defaultValue 1_000 */
  readonly pollIntervalMs?: number;
  /** Rows claimed per transaction. @defaultValue 20 */
  readonly batchSize?: number;
  /** A row the catalog refuses (unknown job, invalid payload) waits this long. @defaultValue 1 h */
  readonly refusedRetryMs?: number;
  /** Sent rows are deleted after this long. @defaultValue 7 days */
  readonly keepSentMs?: number;
  /** Wait before connecting LISTEN again after losing it. @defaultValue 5_000 */
  readonly listenRetryMs?: number;
}

export interface OutboxRelay {
  /** Starts LISTEN (when configured) and the sweep timer; resolves after the first sweep. */
  start(): Promise<void>;
  /** Sweeps now, or joins the sweep in progress. */
  sweep(): Promise<void>;
  /** Stops the timer and LISTEN, and waits for the sweep in progress. */
  close(): Promise<void>;
}

const MAX_ERROR_LENGTH = 1_000;
const LISTEN_CONNECT_TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const PRUNE_BATCH = 1_000;

/**
 * Moves committed outbox rows to BullMQ (R-JOB-1). Rows are claimed with FOR UPDATE SKIP
 * LOCKED, added with their deterministic job id, then marked sent in the same transaction: a
 * crash between add and mark re-adds a job BullMQ already holds, which it ignores. While Redis
 * is down rows stay unsent with last_error, and sweeps back off up to 5 s.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, producer, logger, listenUrl } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 20;
  const refusedRetryMs = options.refusedRetryMs ?? 60 * 60 * 1000;
  const keepSentMs = options.keepSentMs ?? 7 * 24 * 60 * 60 * 1000;
  const listenRetryMs = options.listenRetryMs ?? 5_000;

  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let backoffMs = 0;
  let pausedUntil = 0;
  let lastPruneAt = 0;
  let outageReported = false;
  let listener: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  /** Adds the due rows of one batch; stops at the first failure that is Redis's, not the row's. */
  async function sweepBatch(): Promise<{ sent: number; queueDown: boolean }> {
    return withTransaction(db, async (trx) => {
      const rows = await claimDueOutboxRows(trx, batchSize);
      const sent: string[] = [];
      let queueDown = false;
      for (const row of rows) {
        try {
          await producer.addRecord({
            jobName: row.jobName,
            jobId: row.jobId,
            payload: row.payload,
          });
          sent.push(row.id);
        } catch (err) {
          const reason = toError(err).message.slice(0, MAX_ERROR_LENGTH);
          if (err instanceof InvalidInputError) {
            await recordOutboxFailure(trx, row.id, reason, refusedRetryMs);
            logger.error({ jobName: row.jobName, jobId: row.jobId, reason }, 'outbox job refused');
            continue;
          }
          await recordOutboxFailure(trx, row.id, reason);
          if (!outageReported) {
            outageReported = true;
            logger.warn({ reason }, 'job queue unavailable; outbox rows kept for a later sweep');
          }
          queueDown = true;
          break;
        }
      }
      await markOutboxRowsSent(trx, sent);
      return { sent: sent.length, queueDown };
    });
  }

  async function sweepUntilDone(): Promise<void> {
    do {
      again = false;
      try {
        const { sent, queueDown } = await sweepBatch();
        if (queueDown) {
          backoffMs = Math.min(Math.max(backoffMs * 2, pollIntervalMs), MAX_BACKOFF_MS);
          pausedUntil = Date.now() + backoffMs;
          return;
        }
        if (outageReported && sent > 0) {
          logger.info('job queue reachable again; outbox draining');
          outageReported = false;
        }
        backoffMs = 0;
        pausedUntil = 0;
        // A full batch suggests more rows are due.
        again ||= sent === batchSize;
      } catch (err) {
        logger.warn({ err }, 'outbox sweep failed');
        return;
      }
    } while (again && !closed);
    if (Date.now() - lastPruneAt >= PRUNE_EVERY_MS) {
      lastPruneAt = Date.now();
      await deleteSentOutboxRows(db, keepSentMs, PRUNE_BATCH).catch((err: unknown) => {
        logger.warn({ err }, 'could not prune sent outbox rows');
      });
    }
  }

  function sweep(): Promise<void> {
    if (closed) {
      return Promise.resolve();
    }
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = sweepUntilDone().finally(() => {
      running = undefined;
    });
    return running;
  }

  /** Timer and NOTIFY wake-ups respect the backoff after a Redis failure. */
  function wake(): void {
    if (Date.now() >= pausedUntil) {
      void sweep();
    }
  }

  function scheduleListen(): void {
    if (closed || reconnectTimer !== undefined) {
      return;
    }
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connecting = listen();
    }, listenRetryMs);
  }

  function dropListener(client: pg.Client, err?: Error): void {
    if (listener !== client) {
      return;
    }
    listener = undefined;
    logger.warn({ err: err?.message }, 'outbox LISTEN connection lost; polling until it is back');
    client.end().catch(() => undefined);
    scheduleListen();
  }

  async function listen(): Promise<void> {
    if (listenUrl === undefined || closed) {
      return;
    }
    const client = new pg.Client({
      connectionString: listenUrl,
      application_name: 'rolerabbit-outbox-relay',
      connectionTimeoutMillis: LISTEN_CONNECT_TIMEOUT_MS,
      // An idle LISTEN socket is the one most likely to die silently (NAT, failover).
      keepAlive: true,
    });
    client.on('notification', wake);
    client.on('error', (err) => {
      dropListener(client, err);
    });
    client.on('end', () => {
      dropListener(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      logger.warn({ err }, 'outbox LISTEN failed; polling until it connects');
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      scheduleListen();
      return;
    }
    listener = client;
    // Rows committed while nobody listened got no wake-up of their own.
    wake();
  }

  return {
    async start() {
      connecting = listen();
      await connecting;
      timer = setInterval(wake, pollIntervalMs);
      await sweep();
    },
    sweep,
    async close() {
      if (closed) {
        return;
      }
      closed = true;
      clearInterval(timer);
      clearTimeout(reconnectTimer);
      await connecting;
      await running;
      const client = listener;
      listener = undefined;
      if (client !== undefined) {
        client.removeAllListeners('end');
        await client.query(`UNLISTEN ${OUTBOX_CHANNEL}`).catch(() => undefined);
        await client.end().catch(() => undefined);
      }
    },
  };
}
