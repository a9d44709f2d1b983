import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { DEVELOPMENT_JWT_SECRET } from './auth-env.ts';
import { ConfigError, listConfigVariables, loadConfig } from './env.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      return err.problems.map((problem) => problem.variable);
    }
    throw err;
  }
  return [];
}

describe(loadConfig.name, () => {
  it('works with no variables at all, using the local defaults', () => {
    const config = loadConfig({});

    expect(config.postgres.url).toBe('postgres://postgres@127.0.0.1:5432/rolerabbit');
    expect(config.postgres.directUrl).toBe(config.postgres.url);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.http.port).toBe(3000);
    expect(config.http.publicUrl).toBe('http://localhost:3000');
    expect(config.sites.baseDomain).toBe('localhost');
    expect(config.auth.usesDevelopmentSecret).toBe(true);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({});

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.postgres)).toBe(true);
  });

  it('reports every invalid variable together, by name', () => {
    expect(
      problemsOf({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        DATABASE_POOL_MAX: '0',
        REDIS_URL: 'http://nope',
        LOG_LEVEL: 'loud',
      }).sort(),
    ).toEqual(['DATABASE_POOL_MAX', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'REDIS_URL']);
  });

  it('names the variables in its message', () => {
    expect(() => loadConfig({ PORT: '-1' })).toThrow(/PORT: /);
  });

  it("accepts the original guide's variable names beside ours", () => {
    const config = loadConfig({
      NEXT_PUBLIC_APP_URL: 'https://app.example.com/',
      NEXT_PUBLIC_BASE_DOMAIN: 'example.com',
    });

    expect(config.http.publicUrl).toBe('https://app.example.com');
    expect(config.sites.baseDomain).toBe('example.com');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).http.port).toBe(3000);
  });

  it('explains that the Upstash REST URL cannot carry BullMQ', () => {
    expect(() => loadConfig({ UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io' })).toThrow(
      /rediss:\/\//,
    );
  });

  it('accepts a rediss:// URL for TLS', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://default:pw@eu1.upstash.io:6379' }).redis.url).toMatch(
      /^rediss:/,
    );
  });

  it('refuses the development secrets in production and requires a verifier there', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).sort()).toEqual([
      'AUTH_JWT_SECRET',
      'SIGNING_SECRET',
    ]);
    expect(
      problemsOf({ NODE_ENV: 'production', AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET }),
    ).toContain('AUTH_JWT_SECRET');
  });

  it('refuses private webhook targets in production', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: 'x'.repeat(40),
        SIGNING_SECRET: 'y'.repeat(40),
        WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
      }),
    ).toEqual(['WEBHOOKS_ALLOW_PRIVATE_TARGETS']);
  });

  it('starts in production with its own secrets', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: 'x'.repeat(40),
      SIGNING_SECRET: 'y'.repeat(40),
    });

    expect(config.auth.usesDevelopmentSecret).toBe(false);
  });

  it('uses a JWKS URL instead of a shared secret, but not both', () => {
    const config = loadConfig({ AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json' });

    expect(config.auth.jwtSecret).toBeUndefined();
    expect(config.auth.usesDevelopmentSecret).toBe(false);
    expect(
      problemsOf({ AUTH_JWKS_URL: 'https://id.example.com/jwks', AUTH_JWT_SECRET: 'z'.repeat(40) }),
    ).toEqual(['AUTH_JWKS_URL']);
  });

  it('names every missing credential of the production adapters at once', () => {
    expect(
      problemsOf({
        STORAGE_DRIVER: 's3',
        DNS_PROVIDER: 'cloudflare',
        SSL_PROVIDER: 'acme',
        EMAIL_DRIVER: 'resend',
        GEOLOCATION_PROVIDERS: 'ipstack,ipgeolocation',
        DEPLOYMENT_WEBHOOK_URL: 'https://hooks.example.com/rolerabbit',
      }).sort(),
    ).toEqual([
      'CLOUDFLARE_API_TOKEN',
      'CLOUDFLARE_ZONE_ID',
      'DEPLOYMENT_WEBHOOK_SECRET',
      // Resend sends only from a verified domain, so the @localhost default is refused too.
      'EMAIL_FROM',
      'IPGEOLOCATION_KEY',
      'IPSTACK_KEY',
      'LETSENCRYPT_EMAIL',
      'RESEND_API_KEY',
      'S3_ACCESS_KEY_ID',
      'S3_ENDPOINT',
      'S3_SECRET_ACCESS_KEY',
    ]);
  });

  it("keeps the guide's integration variable names", () => {
    const config = loadConfig({
      CLOUDFLARE_API_TOKEN: 'cf-token',
      CLOUDFLARE_ZONE_ID: '0123456789abcdef0123456789abcdef',
      DNS_PROVIDER: 'cloudflare',
      IPSTACK_KEY: 'ipstack-key',
      GEOLOCATION_PROVIDERS: 'ipstack',
      LETSENCRYPT_EMAIL: 'ops@example.com',
      LETSENCRYPT_ENV: 'production',
      SSL_PROVIDER: 'acme',
    });

    expect(config.integrations.dns.cloudflare?.zoneId).toBe('0123456789abcdef0123456789abcdef');
    expect(config.integrations.geolocation.providers[0]?.name).toBe('ipstack');
    expect(config.integrations.ssl).toMatchObject({ accountEmail: 'ops@example.com' });
  });

  it('is documented: .env.example names every variable, and its values load', () => {
    const example = readFileSync('.env.example', 'utf8');
    const documented = new Map(
      [...example.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((match) => [
        match[1] ?? '',
        match[2] ?? '',
      ]),
    );

    expect(listConfigVariables().filter((name) => !documented.has(name))).toEqual([]);
    expect(() => loadConfig(Object.fromEntries(documented))).not.toThrow();
  });
});
