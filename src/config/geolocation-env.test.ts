import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildGeolocationConfig, geolocationEnvShape } from './geolocation-env.ts';

const schema = z.object(geolocationEnvShape);

function build(env: Record<string, string>) {
  return buildGeolocationConfig(schema.parse(env));
}

describe(buildGeolocationConfig.name, () => {
  it('defaults to the offline database only, a 24 h cache and no trusted proxies', () => {
    const { config, problems } = build({});

    expect(problems).toEqual([]);
    expect(config).toEqual({
      providers: [],
      cacheTtlSeconds: 86_400,
      trustedProxies: [],
      databasePath: undefined,
    });
  });

  it('lists the providers in the configured order with their HTTPS defaults', () => {
    const { config, problems } = build({
      GEOLOCATION_PROVIDERS: ' ipstack, IPGEOLOCATION ,ipapi',
      IPSTACK_KEY: 'stack-key',
      IPGEOLOCATION_KEY: 'geo-key',
    });

    expect(problems).toEqual([]);
    expect(config.providers).toEqual([
      { name: 'ipstack', baseUrl: 'https://api.ipstack.com', apiKey: 'stack-key' },
      { name: 'ipgeolocation', baseUrl: 'https://api.ipgeolocation.io', apiKey: 'geo-key' },
      { name: 'ipapi', baseUrl: 'https://ipapi.co', apiKey: undefined },
    ]);
  });

  it('lets ipapi run without a key', () => {
    expect(build({ GEOLOCATION_PROVIDERS: 'ipapi' }).problems).toEqual([]);
  });

  it('names each missing key of a listed provider', () => {
    const { problems } = build({ GEOLOCATION_PROVIDERS: 'ipstack,ipgeolocation' });

    expect(problems.map((problem) => problem.variable)).toEqual([
      'IPSTACK_KEY',
      'IPGEOLOCATION_KEY',
    ]);
    expect(problems[0]?.message).toContain('ipstack');
  });

  it('does not ask for keys of providers that are not listed', () => {
    expect(build({ GEOLOCATION_PROVIDERS: '' }).problems).toEqual([]);
  });

  it('reports unknown and repeated provider names', () => {
    const { problems } = build({ GEOLOCATION_PROVIDERS: 'ipapi,maxmind,ipapi' });

    expect(problems).toHaveLength(2);
    expect(problems.every((problem) => problem.variable === 'GEOLOCATION_PROVIDERS')).toBe(true);
    expect(problems[0]?.message).toContain('maxmind');
  });

  it('refuses a plain-HTTP provider URL, which would leak the key', () => {
    const { problems } = build({
      GEOLOCATION_PROVIDERS: 'ipstack',
      IPSTACK_KEY: 'k',
      IPSTACK_URL: 'http://api.ipstack.com',
    });

    expect(problems.map((problem) => problem.variable)).toEqual(['IPSTACK_URL']);
  });

  it('allows plain HTTP to a loopback stand-in', () => {
    const { config, problems } = build({
      GEOLOCATION_PROVIDERS: 'ipstack',
      IPSTACK_KEY: 'k',
      IPSTACK_URL: 'http://127.0.0.1:4010',
    });

    expect(problems).toEqual([]);
    expect(config.providers[0]?.baseUrl).toBe('http://127.0.0.1:4010');
  });

  it('parses trusted proxies and reports entries that are not IPs or CIDR blocks', () => {
    expect(
      build({ TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8::/32,203.0.113.7' }).config,
    ).toMatchObject({ trustedProxies: ['10.0.0.0/8', '2001:db8::/32', '203.0.113.7'] });

    const { problems } = build({ TRUSTED_PROXIES: '10.0.0.0/8,proxy.internal,10.0.0.0/33' });

    expect(problems).toEqual([
      {
        variable: 'TRUSTED_PROXIES',
        message: 'not an IP address or CIDR block: proxy.internal, 10.0.0.0/33',
      },
    ]);
  });

  it('validates the cache lifetime and provider URLs through the shape', () => {
    expect(schema.safeParse({ GEOLOCATION_CACHE_TTL_SECONDS: '10' }).success).toBe(false);
    expect(schema.safeParse({ IPAPI_URL: 'ftp://ipapi.co' }).success).toBe(false);
    expect(build({ GEOLOCATION_CACHE_TTL_SECONDS: '3600' }).config.cacheTtlSeconds).toBe(3600);
  });
});
