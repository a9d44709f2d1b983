import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildHttpConfig, httpEnvShape } from './http-env.ts';

const schema = z.object(httpEnvShape);

/** Parses like env.ts does, then builds; returns the config and every problem's variable. */
function load(env: Record<string, string>) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    return { config: undefined, variables: parsed.error.issues.map((issue) => issue.path[0]) };
  }
  const built = buildHttpConfig(parsed.data);
  return { config: built.config, variables: built.problems.map((problem) => problem.variable) };
}

describe(buildHttpConfig.name, () => {
  it('defaults to 10 s for headers, 30 s per request, 5 s keep-alive and a 60 s host refresh', () => {
    const { config, variables } = load({});

    expect(variables).toEqual([]);
    expect(config).toEqual({
      timeouts: { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 },
      siteHostsRefreshMs: 60_000,
    });
  });

  it('reads every setting from its variable', () => {
    const { config } = load({
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '4000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
      SITE_HOSTS_REFRESH_MS: '500',
    });

    expect(config).toEqual({
      timeouts: { headersMs: 2_000, requestMs: 4_000, keepAliveMs: 1_000 },
      siteHostsRefreshMs: 500,
    });
  });

  it('names each variable that is not a whole number of milliseconds in range', () => {
    const { variables } = load({
      HTTP_HEADERS_TIMEOUT_MS: 'soon',
      HTTP_REQUEST_TIMEOUT_MS: '0',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1.5',
      SITE_HOSTS_REFRESH_MS: '-1',
    });

    expect(variables).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS',
      'HTTP_REQUEST_TIMEOUT_MS',
      'HTTP_KEEP_ALIVE_TIMEOUT_MS',
      'SITE_HOSTS_REFRESH_MS',
    ]);
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    const { variables } = load({ HTTP_HEADERS_TIMEOUT_MS: '40000' });

    expect(variables).toEqual(['HTTP_HEADERS_TIMEOUT_MS']);
  });
});
