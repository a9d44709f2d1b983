import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildSslConfig, LETSENCRYPT_DIRECTORY_URLS, sslEnvShape } from './ssl-env.ts';

const schema = z.object(sslEnvShape);

function build(env: Record<string, string>) {
  return buildSslConfig(schema.parse(env));
}

describe(buildSslConfig.name, () => {
  it('defaults to the local CA issuing 90-day certificates', () => {
    expect(build({})).toEqual({ config: { provider: 'local', validityDays: 90 }, problems: [] });
  });

  it('takes the local validity from SSL_CERT_VALIDITY_DAYS', () => {
    expect(build({ SSL_CERT_VALIDITY_DAYS: '30' }).config).toEqual({
      provider: 'local',
      validityDays: 30,
    });
  });

  it("uses the Let's Encrypt staging directory for acme by default", () => {
    expect(build({ SSL_PROVIDER: 'acme', LETSENCRYPT_EMAIL: 'ops@example.com' })).toEqual({
      config: {
        provider: 'acme',
        directoryUrl: LETSENCRYPT_DIRECTORY_URLS.staging,
        accountEmail: 'ops@example.com',
      },
      problems: [],
    });
  });

  it('uses the production directory when LETSENCRYPT_ENV=production', () => {
    const { config } = build({
      SSL_PROVIDER: 'acme',
      LETSENCRYPT_EMAIL: 'ops@example.com',
      LETSENCRYPT_ENV: 'production',
    });

    expect(config).toMatchObject({
      directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory',
    });
  });

  it("lets ACME_DIRECTORY_URL override the Let's Encrypt choice", () => {
    const { config } = build({
      SSL_PROVIDER: 'acme',
      LETSENCRYPT_EMAIL: 'ops@example.com',
      LETSENCRYPT_ENV: 'production',
      ACME_DIRECTORY_URL: 'https://127.0.0.1:14000/dir',
    });

    expect(config).toMatchObject({ directoryUrl: 'https://127.0.0.1:14000/dir' });
  });

  it('names LETSENCRYPT_EMAIL as a problem when acme is selected without it', () => {
    const { problems } = build({ SSL_PROVIDER: 'acme' });

    expect(problems.map((problem) => problem.variable)).toEqual(['LETSENCRYPT_EMAIL']);
    expect(problems[0]?.message).toContain('SSL_PROVIDER=acme needs LETSENCRYPT_EMAIL');
  });

  it('needs no email for the local CA', () => {
    expect(build({ SSL_PROVIDER: 'local' }).problems).toEqual([]);
  });

  it.each([
    { SSL_PROVIDER: 'letsencrypt' },
    { LETSENCRYPT_ENV: 'prod' },
    { LETSENCRYPT_EMAIL: 'not-an-email' },
    { ACME_DIRECTORY_URL: 'http://acme.example.com/directory' },
    { SSL_CERT_VALIDITY_DAYS: '0' },
    { SSL_CERT_VALIDITY_DAYS: 'ninety' },
  ])('rejects %j', (env) => {
    expect(schema.safeParse(env).success).toBe(false);
  });
});
