import { isIP } from 'node:net';

import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';
import { selectDriver } from './select-driver.ts';

export const DNS_PROVIDERS = ['local', 'cloudflare'] as const;
export type DnsProviderName = (typeof DNS_PROVIDERS)[number];

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** An IP address, optionally with a port: `1.1.1.1`, `1.1.1.1:53`, `::1`, `[::1]:5353`. */
export function isResolverAddress(value: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  const withPort = /^([^:]+):(\d{1,5})$/.exec(value);
  const [host, port] = bracketed
    ? [bracketed[1] ?? '', bracketed[2]]
    : withPort
      ? [withPort[1] ?? '', withPort[2]]
      : [value, undefined];
  const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65_535);
  const family = isIP(host);
  return portOk && (bracketed ? family === 6 : family !== 0);
}

/** Where portfolio subdomains are published, and how custom domains are verified (R-INT-4). */
export const dnsEnvShape = {
  /** Unset: cloudflare when CLOUDFLARE_API_TOKEN and CLOUDFLARE_ZONE_ID are set, else local. */
  DNS_PROVIDER: z.enum(DNS_PROVIDERS).optional(),
  CLOUDFLARE_API_TOKEN: z.string().trim().min(1).optional(),
  CLOUDFLARE_ZONE_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{1,64}$/, 'the zone id from the Cloudflare dashboard (32 hex characters)')
    .optional(),
  CLOUDFLARE_API_URL: z
    .url({ protocol: /^https?$/ })
    .default('https://api.cloudflare.com/client/v4'),
  DNS_RESOLVER: z
    .string()
    .refine(isResolverAddress, 'an IP address with an optional port, e.g. 1.1.1.1:53 or [::1]:53')
    .optional(),
  DNS_SITE_TARGET: z
    .string()
    .regex(HOST_NAME, 'a lower-case host name such as sites.rolerabbit.com')
    .optional(),
};

export type DnsEnv = z.infer<z.ZodObject<typeof dnsEnvShape>>;

export interface CloudflareDnsConfig {
  readonly apiToken: string;
  readonly zoneId: string;
  readonly apiUrl: string;
}

export interface DnsConfig {
  readonly provider: DnsProviderName;
  /** Present when `provider` is cloudflare. */
  readonly cloudflare: CloudflareDnsConfig | undefined;
  /** `host:port` asked for custom-domain TXT lookups; the system's resolvers when undefined. */
  readonly resolverAddress: string | undefined;
  /** What a portfolio subdomain's CNAME points at; the caller picks a default when undefined. */
  readonly siteTarget: string | undefined;
}

export function buildDnsConfig(env: DnsEnv): {
  readonly config: DnsConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const selection = selectDriver<DnsProviderName>({
    variable: 'DNS_PROVIDER',
    explicit: env.DNS_PROVIDER,
    fallback: 'local',
    candidates: [
      {
        name: 'cloudflare',
        requires: {
          CLOUDFLARE_API_TOKEN: env.CLOUDFLARE_API_TOKEN !== undefined,
          CLOUDFLARE_ZONE_ID: env.CLOUDFLARE_ZONE_ID !== undefined,
        },
        signals: ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ZONE_ID'],
      },
    ],
    isSet: (variable) => (env as Readonly<Record<string, unknown>>)[variable] !== undefined,
  });
  const problems: ConfigProblem[] = [...selection.problems];
  let cloudflare: CloudflareDnsConfig | undefined;
  if (selection.driver === 'cloudflare') {
    const required = {
      CLOUDFLARE_API_TOKEN: env.CLOUDFLARE_API_TOKEN,
      CLOUDFLARE_ZONE_ID: env.CLOUDFLARE_ZONE_ID,
    };
    for (const [variable, value] of Object.entries(required)) {
      if (value === undefined) {
        problems.push({ variable, message: `DNS_PROVIDER=cloudflare needs ${variable}` });
      }
    }
    if (env.CLOUDFLARE_API_TOKEN !== undefined && env.CLOUDFLARE_ZONE_ID !== undefined) {
      cloudflare = {
        apiToken: env.CLOUDFLARE_API_TOKEN,
        zoneId: env.CLOUDFLARE_ZONE_ID,
        apiUrl: env.CLOUDFLARE_API_URL.replace(/\/+$/, ''),
      };
    }
  }
  return {
    config: {
      provider: selection.driver,
      cloudflare,
      resolverAddress: env.DNS_RESOLVER,
      siteTarget: env.DNS_SITE_TARGET,
    },
    problems,
  };
}
