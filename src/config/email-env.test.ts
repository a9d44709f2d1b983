import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildEmailConfig, emailEnvShape } from './email-env.ts';

const emailEnv = z.object(emailEnvShape);

function build(env: Record<string, string>) {
  return buildEmailConfig(emailEnv.parse(env));
}

describe(buildEmailConfig.name, () => {
  it('defaults to the local outbox with a localhost sender', () => {
    const { config, problems } = build({});

    expect(problems).toEqual([]);
    expect(config).toEqual({
      driver: 'outbox',
      from: 'RoleRabbit <no-reply@localhost>',
      outboxDirectory: './data/outbox',
    });
  });

  it('builds SMTP settings with port 587, no implicit TLS and the credential pair', () => {
    const { config, problems } = build({
      EMAIL_DRIVER: 'smtp',
      EMAIL_FROM: 'RoleRabbit <hello@rolerabbit.com>',
      SMTP_HOST: 'smtp.example.com',
      SMTP_USER: 'mailer',
      SMTP_PASS: 'hunter2',
    });

    expect(problems).toEqual([]);
    expect(config).toEqual({
      driver: 'smtp',
      from: 'RoleRabbit <hello@rolerabbit.com>',
      smtp: {
        host: 'smtp.example.com',
        port: 587,
        secure: false,
        user: 'mailer',
        password: 'hunter2',
      },
    });
  });

  it('reads SMTP_SECURE and SMTP_PORT as a boolean and a number', () => {
    const { config } = build({
      EMAIL_DRIVER: 'smtp',
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '465',
      SMTP_SECURE: 'true',
    });

    expect(config).toMatchObject({ smtp: { port: 465, secure: true, user: undefined } });
  });

  it('names SMTP_HOST when smtp is selected without it', () => {
    const { problems } = build({ EMAIL_DRIVER: 'smtp' });

    expect(problems).toEqual([
      { variable: 'SMTP_HOST', message: 'EMAIL_DRIVER=smtp needs SMTP_HOST' },
    ]);
  });

  it('names the missing half of an SMTP credential pair', () => {
    const { problems } = build({ EMAIL_DRIVER: 'smtp', SMTP_HOST: 'h', SMTP_USER: 'mailer' });

    expect(problems.map((problem) => problem.variable)).toEqual(['SMTP_PASS']);
  });

  it('builds Resend settings without a trailing slash on the URL', () => {
    const { config, problems } = build({
      EMAIL_DRIVER: 'resend',
      EMAIL_FROM: 'hello@rolerabbit.com',
      RESEND_API_KEY: 're_123',
      RESEND_API_URL: 'http://127.0.0.1:9999/',
    });

    expect(problems).toEqual([]);
    expect(config).toEqual({
      driver: 'resend',
      from: 'hello@rolerabbit.com',
      resend: { apiKey: 're_123', baseUrl: 'http://127.0.0.1:9999' },
    });
  });

  it('names RESEND_API_KEY and the unverifiable localhost sender when resend lacks them', () => {
    const { problems } = build({ EMAIL_DRIVER: 'resend' });

    expect(problems.map((problem) => problem.variable)).toEqual(['RESEND_API_KEY', 'EMAIL_FROM']);
  });

  it('rejects an unknown driver, a malformed sender and a non-boolean SMTP_SECURE', () => {
    const result = emailEnv.safeParse({
      EMAIL_DRIVER: 'sendgrid',
      EMAIL_FROM: 'RoleRabbit',
      SMTP_SECURE: 'sometimes',
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'EMAIL_DRIVER',
      'EMAIL_FROM',
      'SMTP_SECURE',
    ]);
  });
});
