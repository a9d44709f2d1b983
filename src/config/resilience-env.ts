import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

const milliseconds = z.coerce
  .number()
  .int()
  .min(1)
  .max(60 * 60 * 1000);

/**
 * The policy every integration call runs under (R-INT-6..8). Breaker and retry settings are
 * shared; each integration has its own per-attempt timeout.
 */
export const resilienceEnvShape = {
  BREAKER_FAILURES_TO_OPEN: z.coerce.number().int().min(1).max(1000).default(5),
  BREAKER_RESET_MS: milliseconds.default(30_000),
  RETRY_COUNT: z.coerce.number().int().min(0).max(10).default(3),
  RETRY_BASE_DELAY_MS: milliseconds.default(2_000),
  RETRY_MAX_DELAY_MS: milliseconds.default(60_000),
  // A view should not wait 2+4+8 s for a country: failing over to the next provider (and
  // finally the offline database) is the geolocation retry.
  GEOLOCATION_RETRY_COUNT: z.coerce.number().int().min(0).max(10).default(0),
  STORAGE_TIMEOUT_MS: milliseconds.default(60_000),
  DNS_TIMEOUT_MS: milliseconds.default(10_000),
  SSL_TIMEOUT_MS: milliseconds.default(120_000),
  WEBHOOK_TIMEOUT_MS: milliseconds.default(10_000),
  GEOLOCATION_TIMEOUT_MS: milliseconds.default(5_000),
  EMAIL_TIMEOUT_MS: milliseconds.default(30_000),
};

export type ResilienceEnv = z.infer<z.ZodObject<typeof resilienceEnvShape>>;

export interface ResiliencePolicy {
  readonly breaker: { readonly failuresToOpen: number; readonly resetAfterMs: number };
  readonly retry: {
    readonly retries: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
  };
  readonly timeoutMs: number;
}

/** Keyed like the integrations (`IntegrationName`); config may not import from integrations/. */
export interface ResilienceConfig {
  readonly storage: ResiliencePolicy;
  readonly dns: ResiliencePolicy;
  readonly ssl: ResiliencePolicy;
  readonly geolocation: ResiliencePolicy;
  readonly email: ResiliencePolicy;
  readonly webhooks: ResiliencePolicy;
}

export function buildResilienceConfig(env: ResilienceEnv): {
  readonly config: ResilienceConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  if (env.RETRY_MAX_DELAY_MS < env.RETRY_BASE_DELAY_MS) {
    problems.push({
      variable: 'RETRY_MAX_DELAY_MS',
      message: 'must be at least RETRY_BASE_DELAY_MS',
    });
  }
  const policy = (timeoutMs: number, retries = env.RETRY_COUNT): ResiliencePolicy => ({
    breaker: { failuresToOpen: env.BREAKER_FAILURES_TO_OPEN, resetAfterMs: env.BREAKER_RESET_MS },
    retry: {
      retries,
      baseDelayMs: env.RETRY_BASE_DELAY_MS,
      maxDelayMs: env.RETRY_MAX_DELAY_MS,
    },
    timeoutMs,
  });
  return {
    config: {
      storage: policy(env.STORAGE_TIMEOUT_MS),
      dns: policy(env.DNS_TIMEOUT_MS),
      ssl: policy(env.SSL_TIMEOUT_MS),
      geolocation: policy(env.GEOLOCATION_TIMEOUT_MS, env.GEOLOCATION_RETRY_COUNT),
      email: policy(env.EMAIL_TIMEOUT_MS),
      webhooks: policy(env.WEBHOOK_TIMEOUT_MS),
    },
    problems,
  };
}
