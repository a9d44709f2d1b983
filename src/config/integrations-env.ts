import type { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';
import { buildDnsConfig, type DnsConfig, dnsEnvShape } from './dns-env.ts';
import { buildEmailConfig, type EmailConfig, emailEnvShape } from './email-env.ts';
import {
  buildGeolocationConfig,
  type GeolocationConfig,
  geolocationEnvShape,
} from './geolocation-env.ts';
import {
  buildResilienceConfig,
  type ResilienceConfig,
  resilienceEnvShape,
} from './resilience-env.ts';
import { buildSslConfig, type SslConfig, sslEnvShape } from './ssl-env.ts';
import { buildStorageConfig, type StorageConfig, storageEnvShape } from './storage-env.ts';
import { buildWebhooksConfig, type WebhooksConfig, webhooksEnvShape } from './webhooks-env.ts';

/** Every variable of the external integrations (one module per integration). */
export const integrationsEnvShape = {
  ...resilienceEnvShape,
  ...storageEnvShape,
  ...dnsEnvShape,
  ...sslEnvShape,
  ...geolocationEnvShape,
  ...emailEnvShape,
  ...webhooksEnvShape,
};

export type IntegrationsEnv = z.infer<z.ZodObject<typeof integrationsEnvShape>>;

export interface IntegrationsConfig {
  readonly resilience: ResilienceConfig;
  readonly storage: StorageConfig;
  readonly dns: DnsConfig;
  readonly ssl: SslConfig;
  readonly geolocation: GeolocationConfig;
  readonly email: EmailConfig;
  readonly webhooks: WebhooksConfig;
}

/** Builds each integration's config and gathers all of their problems. */
export function buildIntegrationsConfig(env: IntegrationsEnv): {
  readonly config: IntegrationsConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const resilience = buildResilienceConfig(env);
  const storage = buildStorageConfig(env);
  const dns = buildDnsConfig(env);
  const ssl = buildSslConfig(env);
  const geolocation = buildGeolocationConfig(env);
  const email = buildEmailConfig(env);
  const webhooks = buildWebhooksConfig(env);
  return {
    config: {
      resilience: resilience.config,
      storage: storage.config,
      dns: dns.config,
      ssl: ssl.config,
      geolocation: geolocation.config,
      email: email.config,
      webhooks: webhooks.config,
    },
    problems: [resilience, storage, dns, ssl, geolocation, email, webhooks].flatMap(
      (built) => built.problems,
    ),
  };
}

/** Which adapter serves each integration, as the start-up banner and admins see it. */
export function describeActiveDrivers(
  config: IntegrationsConfig,
): Readonly<Record<string, string>> {
  return {
    storage: config.storage.driver,
    dns: config.dns.provider,
    ssl: config.ssl.provider,
    geolocation: [...config.geolocation.providers.map((provider) => provider.name), 'offline'].join(
      ' → ',
    ),
    email: config.email.driver,
    webhooks: 'http',
  };
}
