import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

const milliseconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const HOUR_MS = 60 * 60 * 1000;

/** HTTP server timeouts (R-SEC-6) and how sites learn which hosts are live (R-SEC-5). */
export const httpEnvShape = {
  /** A client must finish sending the request line and headers within this. */
  HTTP_HEADERS_TIMEOUT_MS: milliseconds(100, 10 * 60 * 1000).default(10_000),
  /** A client must finish sending the whole request, body included, within this. */
  HTTP_REQUEST_TIMEOUT_MS: milliseconds(100, HOUR_MS).default(30_000),
  /** An idle keep-alive connection is closed after this. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: milliseconds(100, 10 * 60 * 1000).default(5_000),
  /** Each process re-reads every live site host from PostgreSQL this often. */
  SITE_HOSTS_REFRESH_MS: milliseconds(100, 24 * HOUR_MS).default(60_000),
};

export type HttpEnv = z.infer<z.ZodObject<typeof httpEnvShape>>;

/** Limits on how long a client may take (R-SEC-6); the server enforces them per connection. */
export interface HttpTimeoutsConfig {
  readonly headersMs: number;
  readonly requestMs: number;
  readonly keepAliveMs: number;
}

export interface HttpEnvConfig {
  readonly timeouts: HttpTimeoutsConfig;
  /** Full re-read interval of the in-memory live host set; pub/sub notices come between. */
  readonly siteHostsRefreshMs: number;
}

export function buildHttpConfig(env: HttpEnv): {
  readonly config: HttpEnvConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  // Node refuses to create a server otherwise: the headers are part of the request.
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push({
      variable: 'HTTP_HEADERS_TIMEOUT_MS',
      message: `must not exceed HTTP_REQUEST_TIMEOUT_MS (${String(env.HTTP_REQUEST_TIMEOUT_MS)})`,
    });
  }
  return {
    config: {
      timeouts: {
        headersMs: env.HTTP_HEADERS_TIMEOUT_MS,
        requestMs: env.HTTP_REQUEST_TIMEOUT_MS,
        keepAliveMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      },
      siteHostsRefreshMs: env.SITE_HOSTS_REFRESH_MS,
    },
    problems,
  };
}
