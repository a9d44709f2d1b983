import { describe, expect, it } from 'vitest';

import { configProblemsOf } from '../../test/support/config-problems.ts';
import { loadConfig } from './env.ts';

// R-PLAT-6 (issue 8, fault 18): a guide-style .env.local sets a vendor's variables but no
// driver. The vendor whose variables are all present is selected; a partial set is a start-up
// problem naming what is missing; an explicit driver wins.

describe('email', () => {
  it('selects Resend from RESEND_API_KEY and a real sender', () => {
    const { email } = loadConfig({
      RESEND_API_KEY: 're_123',
      EMAIL_FROM: 'RoleRabbit <hello@rolerabbit.com>',
    }).integrations;

    expect(email.driver).toBe('resend');
  });

  it('refuses RESEND_API_KEY with the localhost default sender, naming EMAIL_FROM', () => {
    expect(configProblemsOf({ RESEND_API_KEY: 're_123' }).EMAIL_FROM).toMatch(
      /RESEND_API_KEY is set, which selects resend/,
    );
  });

  it('selects SMTP from SMTP_HOST', () => {
    expect(loadConfig({ SMTP_HOST: 'smtp.example.com' }).integrations.email.driver).toBe('smtp');
  });

  it('asks for EMAIL_DRIVER when both Resend and SMTP are configured', () => {
    const problems = configProblemsOf({
      RESEND_API_KEY: 're_123',
      EMAIL_FROM: 'hello@rolerabbit.com',
      SMTP_HOST: 'smtp.example.com',
    });

    expect(problems.EMAIL_DRIVER).toMatch(/both resend and smtp/);
  });

  it('keeps an explicit EMAIL_DRIVER=outbox whatever else is set', () => {
    const { email } = loadConfig({ EMAIL_DRIVER: 'outbox', RESEND_API_KEY: 're_123' }).integrations;

    expect(email.driver).toBe('outbox');
  });
});

describe('geolocation', () => {
  it('uses every provider whose key is set, in the guide order', () => {
    const { geolocation } = loadConfig({
      IPGEOLOCATION_KEY: 'g',
      IPAPI_KEY: 'a',
    }).integrations;

    expect(geolocation.providers.map((provider) => provider.name)).toEqual([
      'ipapi',
      'ipgeolocation',
    ]);
  });

  it('keeps an explicit list, and `offline` means the offline database only', () => {
    const explicit = loadConfig({
      GEOLOCATION_PROVIDERS: 'ipstack',
      IPSTACK_KEY: 's',
      IPAPI_KEY: 'a',
    });
    const offline = loadConfig({ GEOLOCATION_PROVIDERS: 'offline', IPAPI_KEY: 'a' });

    expect(explicit.integrations.geolocation.providers.map((p) => p.name)).toEqual(['ipstack']);
    expect(offline.integrations.geolocation.providers).toEqual([]);
  });
});

describe('certificates', () => {
  it('selects ACME from LETSENCRYPT_EMAIL, on the staging directory unless told otherwise', () => {
    const { ssl } = loadConfig({ LETSENCRYPT_EMAIL: 'ops@rolerabbit.com' }).integrations;

    expect(ssl).toMatchObject({
      provider: 'acme',
      directoryUrl: 'https://acme-staging-v02.api.letsencrypt.org/directory',
    });
  });

  it('stays local without LETSENCRYPT_EMAIL or with SSL_PROVIDER=local', () => {
    expect(loadConfig({}).integrations.ssl.provider).toBe('local');
    expect(
      loadConfig({ SSL_PROVIDER: 'local', LETSENCRYPT_EMAIL: 'ops@rolerabbit.com' }).integrations
        .ssl.provider,
    ).toBe('local');
  });
});
