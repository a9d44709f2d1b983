import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

/** Let's Encrypt's ACME directories, picked by LETSENCRYPT_ENV. */
export const LETSENCRYPT_DIRECTORY_URLS = {
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  production: 'https://acme-v02.api.letsencrypt.org/directory',
} as const;

/** TLS certificates for custom domains (R-INT-5). */
export const sslEnvShape = {
  /** `local`: our own CA (development, private deployments); `acme`: Let's Encrypt or another ACME CA. */
  /** Unset: acme when LETSENCRYPT_EMAIL is set (the guide's variable), else local. */
  SSL_PROVIDER: z.enum(['local', 'acme']).optional(),
  /** ACME account contact; required when SSL_PROVIDER=acme. */
  LETSENCRYPT_EMAIL: z.email().optional(),
  LETSENCRYPT_ENV: z.enum(['staging', 'production']).default('staging'),
  /** Another ACME directory (e.g. a test CA); overrides LETSENCRYPT_ENV. */
  ACME_DIRECTORY_URL: z.url({ protocol: /^https$/ }).optional(),
  /** Lifetime of certificates from the local CA, in days. */
  SSL_CERT_VALIDITY_DAYS: z.coerce.number().int().min(1).max(397).default(90),
};

export type SslEnv = z.infer<z.ZodObject<typeof sslEnvShape>>;

export type SslConfig =
  | { readonly provider: 'local'; readonly validityDays: number }
  | { readonly provider: 'acme'; readonly directoryUrl: string; readonly accountEmail: string };

export function buildSslConfig(env: SslEnv): {
  readonly config: SslConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const provider = env.SSL_PROVIDER ?? (env.LETSENCRYPT_EMAIL === undefined ? 'local' : 'acme');
  if (provider === 'local') {
    return {
      config: { provider: 'local', validityDays: env.SSL_CERT_VALIDITY_DAYS },
      problems: [],
    };
  }
  const problems: ConfigProblem[] = [];
  if (env.LETSENCRYPT_EMAIL === undefined) {
    problems.push({
      variable: 'LETSENCRYPT_EMAIL',
      message: 'SSL_PROVIDER=acme needs LETSENCRYPT_EMAIL (the ACME account contact)',
    });
  }
  return {
    config: {
      provider: 'acme',
      directoryUrl: env.ACME_DIRECTORY_URL ?? LETSENCRYPT_DIRECTORY_URLS[env.LETSENCRYPT_ENV],
      accountEmail: env.LETSENCRYPT_EMAIL ?? '',
    },
    problems,
  };
}
