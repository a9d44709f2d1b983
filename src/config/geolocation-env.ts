import { isIP } from 'node:net';

import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

export const GEOLOCATION_PROVIDER_NAMES = ['ipapi', 'ipstack', 'ipgeolocation'] as const;
export type GeolocationProviderName = (typeof GEOLOCATION_PROVIDER_NAMES)[number];

const httpUrl = z.url({ protocol: /^https?$/ });

/** IP geolocation for country analytics (R-INT-9). */
export const geolocationEnvShape = {
  /**
   * Online providers in failover order; `offline` for the offline database only. Unset: each
   * provider whose key is set (IPAPI_KEY, IPSTACK_KEY, IPGEOLOCATION_KEY), in that order.
   */
  GEOLOCATION_PROVIDERS: z.string().optional(),
  IPAPI_KEY: z.string().min(1).optional(),
  IPSTACK_KEY: z.string().min(1).optional(),
  IPGEOLOCATION_KEY: z.string().min(1).optional(),
  IPAPI_URL: httpUrl.default('https://ipapi.co'),
  IPSTACK_URL: httpUrl.default('https://api.ipstack.com'),
  IPGEOLOCATION_URL: httpUrl.default('https://api.ipgeolocation.io'),
  /** Comma-separated IPs or CIDR blocks whose forwarding headers we believe. */
  TRUSTED_PROXIES: z.string().default(''),
  GEOLOCATION_CACHE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 60 * 60)
    .default(86_400),
  /** An MMDB country database replacing the one bundled through npm. */
  GEOLOCATION_DATABASE_PATH: z.string().min(1).optional(),
};

export type GeolocationEnv = z.infer<z.ZodObject<typeof geolocationEnvShape>>;

export type GeolocationProviderConfig =
  | { readonly name: 'ipapi'; readonly baseUrl: string; readonly apiKey: string | undefined }
  | { readonly name: 'ipstack'; readonly baseUrl: string; readonly apiKey: string }
  | { readonly name: 'ipgeolocation'; readonly baseUrl: string; readonly apiKey: string };

export interface GeolocationConfig {
  /** In failover order; the offline database always answers last. */
  readonly providers: readonly GeolocationProviderConfig[];
  /** Lifetime of a cached location, in seconds. */
  readonly cacheTtlSeconds: number;
  /** IPs and CIDR blocks, already validated. */
  readonly trustedProxies: readonly string[];
  /** Undefined: the database bundled through npm. */
  readonly databasePath: string | undefined;
}

const URL_VARIABLE = {
  ipapi: 'IPAPI_URL',
  ipstack: 'IPSTACK_URL',
  ipgeolocation: 'IPGEOLOCATION_URL',
} as const satisfies Record<GeolocationProviderName, keyof GeolocationEnv>;

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function isProviderName(name: string): name is GeolocationProviderName {
  return (GEOLOCATION_PROVIDER_NAMES as readonly string[]).includes(name);
}

function isAddressOrBlock(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) {
    return false;
  }
  if (prefix === undefined) {
    return true;
  }
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The guide's way to pick providers: setting their keys (R-PLAT-6). */
function providersWithKeys(env: GeolocationEnv): GeolocationProviderName[] {
  const keys = {
    ipapi: env.IPAPI_KEY,
    ipstack: env.IPSTACK_KEY,
    ipgeolocation: env.IPGEOLOCATION_KEY,
  } satisfies Record<GeolocationProviderName, string | undefined>;
  return GEOLOCATION_PROVIDER_NAMES.filter((name) => keys[name] !== undefined);
}

export function buildGeolocationConfig(env: GeolocationEnv): {
  readonly config: GeolocationConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const providers: GeolocationProviderConfig[] = [];
  const seen = new Set<string>();

  for (const raw of splitList(env.GEOLOCATION_PROVIDERS ?? providersWithKeys(env).join(','))) {
    const name = raw.toLowerCase();
    if (name === 'offline') {
      continue;
    }
    if (!isProviderName(name)) {
      problems.push({
        variable: 'GEOLOCATION_PROVIDERS',
        message: `unknown provider "${raw}"; expected any of ${GEOLOCATION_PROVIDER_NAMES.join(', ')}`,
      });
      continue;
    }
    if (seen.has(name)) {
      problems.push({ variable: 'GEOLOCATION_PROVIDERS', message: `lists "${name}" twice` });
      continue;
    }
    seen.add(name);
    const urlVariable = URL_VARIABLE[name];
    const baseUrl = env[urlVariable];
    // The key rides in the query string, so plain HTTP would publish it on every hop.
    if (baseUrl.startsWith('http:') && !isLoopbackUrl(baseUrl)) {
      problems.push({
        variable: urlVariable,
        message: 'must be https so the API key stays private',
      });
    }
    switch (name) {
      case 'ipapi':
        providers.push({ name, baseUrl, apiKey: env.IPAPI_KEY });
        break;
      case 'ipstack':
      case 'ipgeolocation': {
        const keyVariable = name === 'ipstack' ? 'IPSTACK_KEY' : 'IPGEOLOCATION_KEY';
        const apiKey = env[keyVariable];
        if (apiKey === undefined) {
          problems.push({
            variable: keyVariable,
            message: `GEOLOCATION_PROVIDERS includes ${name}, which needs ${keyVariable}`,
          });
        } else {
          providers.push({ name, baseUrl, apiKey });
        }
        break;
      }
    }
  }

  const trustedProxies = splitList(env.TRUSTED_PROXIES);
  const invalid = trustedProxies.filter((entry) => !isAddressOrBlock(entry));
  if (invalid.length > 0) {
    problems.push({
      variable: 'TRUSTED_PROXIES',
      message: `not an IP address or CIDR block: ${invalid.join(', ')}`,
    });
  }

  return {
    config: {
      providers,
      cacheTtlSeconds: env.GEOLOCATION_CACHE_TTL_SECONDS,
      trustedProxies: invalid.length > 0 ? [] : trustedProxies,
      databasePath: env.GEOLOCATION_DATABASE_PATH,
    },
    problems,
  };
}
