import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

const SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether a value is a Standard Webhooks symmetric secret: `whsec_` + base64 of 24–64 bytes. */
function isWebhookSecret(value: string): boolean {
  const encoded = value.slice(SECRET_PREFIX.length);
  if (!value.startsWith(SECRET_PREFIX) || !BASE64.test(encoded) || encoded.length % 4 !== 0) {
    return false;
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= MIN_SECRET_BYTES && bytes <= MAX_SECRET_BYTES;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_SCHEDULE_ENTRIES = 20;

/** Svix's schedule (R-SEC-3): right away, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS = [
  0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
] as const;

/** `0,5000,300000`: whole milliseconds, each waited after the attempt before. */
const scheduleMs = z
  .string()
  .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'a comma-separated list of whole milliseconds')
  .transform((value) => value.split(',').map((entry) => Number(entry.trim())))
  .refine(
    (delays) => delays.length <= MAX_SCHEDULE_ENTRIES,
    `at most ${String(MAX_SCHEDULE_ENTRIES)} attempts`,
  )
  .refine((delays) => delays.every((ms) => ms <= 7 * DAY_MS), 'each delay at most 7 days');

/** A mailbox without a display name: the operator's alerts go there. */
const address = z.string().regex(/^[^<>\s@]+@[^<>\s@]+$/, 'an address such as ops@example.com');

/**
 * Webhook settings (R-INT-3, R-SEC-3). Per-attempt timeout and breaker are in resilience-env;
 * webhooks retry on their own schedule instead of the in-call retries of other integrations.
 */
export const webhooksEnvShape = {
  /** The operator's own endpoint, sent every dispatched event; may be private or loopback. */
  DEPLOYMENT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  DEPLOYMENT_WEBHOOK_SECRET: z
    .string()
    .refine(isWebhookSecret, `must be ${SECRET_PREFIX} followed by base64 of 24 to 64 bytes`)
    .optional(),
  /** Lets customer endpoints reach loopback and private networks: local development only. */
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: z.stringbool().default(false),
  /** When each attempt of a delivery is made, counted from the attempt before. */
  WEBHOOK_RETRY_SCHEDULE_MS: scheduleMs.default([...DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS]),
  /** An endpoint with no 2xx answer for this long is disabled (the global one never is). */
  WEBHOOK_DISABLE_AFTER_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(90 * DAY_MS)
    .default(5 * DAY_MS),
  /** Mailed when the global endpoint (DEPLOYMENT_WEBHOOK_URL) has failed that long. */
  OPERATOR_EMAIL: address.optional(),
};

export type WebhooksEnv = z.infer<z.ZodObject<typeof webhooksEnvShape>>;

export interface WebhooksConfig {
  /** The global endpoint, when DEPLOYMENT_WEBHOOK_URL is set. */
  readonly deploymentEndpoint: { readonly url: string; readonly secret: string } | undefined;
  /** Customer URLs may resolve to loopback/private addresses. @defaultValue false */
  readonly allowPrivateTargets: boolean;
  /**
   * Wait before each attempt of a delivery, from the attempt before (the first usually 0);
   * its length is the number of attempts. @defaultValue {@link DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS}
   */
  readonly retryScheduleMs: readonly number[];
  /** No 2xx for this long disables a customer endpoint. @defaultValue 5 days */
  readonly disableAfterMs: number;
  /** Who hears about a failing global endpoint; undefined: the log only. */
  readonly operatorEmail: string | undefined;
}

export function buildWebhooksConfig(env: WebhooksEnv): {
  readonly config: WebhooksConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const url = env.DEPLOYMENT_WEBHOOK_URL;
  const secret = env.DEPLOYMENT_WEBHOOK_SECRET;
  if (url !== undefined && secret === undefined) {
    problems.push({
      variable: 'DEPLOYMENT_WEBHOOK_SECRET',
      message: 'is required when DEPLOYMENT_WEBHOOK_URL is set (whsec_ + base64)',
    });
  }
  if (url === undefined && secret !== undefined) {
    problems.push({
      variable: 'DEPLOYMENT_WEBHOOK_URL',
      message: 'is missing: DEPLOYMENT_WEBHOOK_SECRET is set but has no endpoint to sign for',
    });
  }
  return {
    config: {
      deploymentEndpoint: url !== undefined && secret !== undefined ? { url, secret } : undefined,
      allowPrivateTargets: env.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
      retryScheduleMs: env.WEBHOOK_RETRY_SCHEDULE_MS,
      disableAfterMs: env.WEBHOOK_DISABLE_AFTER_MS,
      operatorEmail: env.OPERATOR_EMAIL,
    },
    problems,
  };
}
