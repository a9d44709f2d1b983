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

/** Webhook settings (R-INT-3); per-attempt timeout and retries are in resilience-env. */
export const webhooksEnvShape = {
  /** The operator's own endpoint, sent every dispatched event; may be private or loopback. */
  DEPLOYMENT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  DEPLOYMENT_WEBHOOK_SECRET: z
    .string()
    .refine(isWebhookSecret, `must be ${SECRET_PREFIX} followed by base64 of 24 to 64 bytes`)
    .optional(),
  /** Lets customer endpoints reach loopback and private networks: local development only. */
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: z.stringbool().default(false),
};

export type WebhooksEnv = z.infer<z.ZodObject<typeof webhooksEnvShape>>;

export interface WebhooksConfig {
  /** The global endpoint, when DEPLOYMENT_WEBHOOK_URL is set. */
  readonly deploymentEndpoint: { readonly url: string; readonly secret: string } | undefined;
  /** Customer URLs may resolve to loopback/private addresses. @defaultValue false */
  readonly allowPrivateTargets: boolean;
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
    },
    problems,
  };
}
