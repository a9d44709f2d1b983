import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { simpleParser } from 'mailparser';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';

import type { WebhookEvent } from '../../../src/features/webhooks/webhook.types.ts';
import { startJobProcessing } from '../../../src/wiring/start-job-processing.ts';
import { deleteQueueKeys, uniqueQueuePrefix } from '../../support/stand-ins/redis-queue-keys.ts';
import type {
  RecordedRequest,
  ScriptedHttpServer,
} from '../../support/stand-ins/scripted-http-server.ts';
import { createTestContext, type TestContext, type TestUser } from '../../support/test-context.ts';
import { waitFor } from '../jobs/job-test-support.ts';

/** An endpoint as the API answers it at creation (with its secret). */
export interface CreatedEndpoint {
  readonly id: string;
  readonly secret: string;
}

/** A delivery as GET /api/webhook-endpoints/{id}/deliveries lists it. */
export interface DeliveryBody {
  readonly id: string;
  readonly event: string;
  readonly status: string;
  readonly attemptCount: number;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly completedAt: string | null;
  readonly nextAttemptAt: string | null;
}

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/**
 * One test file's world with the `work` role running as `npm start` runs it (outbox relay,
 * workers, webhook sweep), its own queue prefix and mail folder, and loopback targets allowed
 * so local receivers can stand in for customers' endpoints.
 */
export interface WebhookWorld {
  readonly ctx: TestContext;
  readonly user: TestUser;
  /** Registers an endpoint of `user` (the world's own user by default). */
  createEndpoint(
    url: string,
    events?: readonly string[],
    user?: TestUser,
  ): Promise<CreatedEndpoint>;
  /** Raises an event of `user` (the world's own user by default). */
  dispatch(
    event: WebhookEvent,
    data?: Record<string, unknown>,
    user?: TestUser,
  ): Promise<readonly string[]>;
  /** Polls the delivery row until `done` holds. */
  waitForDelivery(
    id: string,
    done: (row: DeliveryRow) => boolean,
    timeoutMs?: number,
  ): Promise<DeliveryRow>;
  attempts(deliveryId: string): Promise<AttemptRow[]>;
  readMail(): Promise<MailMessage[]>;
  close(): Promise<void>;
}

export interface DeliveryRow {
  readonly status: string;
  readonly run: number;
  readonly attempt_count: number;
  readonly schedule_attempts: number;
  readonly last_error: string | null;
}

export interface AttemptRow {
  readonly attempt_number: number;
  readonly status_code: number | null;
  readonly error: string | null;
  readonly created_at: Date;
}

export async function createWebhookWorld(
  overrides: Record<string, string> = {},
  options: { readonly startWork?: boolean } = {},
): Promise<WebhookWorld> {
  const prefix = uniqueQueuePrefix();
  const directory = await mkdtemp(join(tmpdir(), 'rr-webhooks-'));
  const mailDirectory = join(directory, 'outbox');
  const ctx = await createTestContext({
    JOBS_QUEUE_PREFIX: prefix,
    JOBS_OUTBOX_POLL_MS: '50',
    WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
    EMAIL_DRIVER: 'outbox',
    EMAIL_OUTBOX_DIRECTORY: mailDirectory,
    STORAGE_LOCAL_DIRECTORY: join(directory, 'storage'),
    ...overrides,
  });
  if (options.startWork ?? true) {
    startJobProcessing(ctx.deps);
  }
  const user = await ctx.createUser();
  const db = ctx.deps.database.db;

  return {
    ctx,
    user,
    async createEndpoint(url, events = ['*'], owner = user) {
      const created = await ctx.request<CreatedEndpoint>('POST', '/api/webhook-endpoints', {
        token: owner.token,
        body: { url, events },
      });
      expect(created.status).toBe(201);
      return created.body;
    },
    dispatch(event, data = {}, owner = user) {
      return ctx.deps.webhookDeliveries.dispatchEvent({ ownerId: owner.id, event, data });
    },
    waitForDelivery(id, done, timeoutMs = 10_000) {
      return waitFor(
        async () => {
          const row = await db
            .selectFrom('webhook_deliveries')
            .select(['status', 'run', 'attempt_count', 'schedule_attempts', 'last_error'])
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          return done(row) ? row : undefined;
        },
        timeoutMs,
        `delivery ${id}`,
      );
    },
    attempts(deliveryId) {
      return db
        .selectFrom('webhook_attempts')
        .select(['attempt_number', 'status_code', 'error', 'created_at'])
        .where('delivery_id', '=', deliveryId)
        .orderBy('attempt_number')
        .execute();
    },
    async readMail() {
      let names: string[];
      try {
        names = (await readdir(mailDirectory)).filter((name) => name.endsWith('.eml')).sort();
      } catch {
        return [];
      }
      return Promise.all(
        names.map(async (name) => {
          const parsed = await simpleParser(await readFile(join(mailDirectory, name)));
          const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
          return { to: to?.text ?? '', subject: parsed.subject ?? '', text: parsed.text ?? '' };
        }),
      );
    },
    async close() {
      await ctx.close();
      await deleteQueueKeys('redis://127.0.0.1:6379', prefix);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Verifies a recorded request's Standard Webhooks signature; returns the payload. */
export function verifyRequest(secret: string, request: RecordedRequest): unknown {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

/** A series' value in the /metrics text, the one with every given label (0 when absent). */
export async function readCounter(
  ctx: TestContext,
  name: string,
  labels: readonly string[] = [],
): Promise<number> {
  const metrics = await ctx.request<string>('GET', '/metrics');
  const line = metrics.body
    .split('\n')
    .find(
      (candidate) =>
        (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) &&
        labels.every((label) => candidate.includes(label)),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export type { ScriptedHttpServer };
