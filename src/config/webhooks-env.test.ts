import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildWebhooksConfig, webhooksEnvShape } from './webhooks-env.ts';

const schema = z.object(webhooksEnvShape);
const secretOf = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;

/** Parses like env.ts does, then builds; returns the config and every problem's variable. */
function load(env: Record<string, string>) {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    return { config: undefined, variables: parsed.error.issues.map((issue) => issue.path[0]) };
  }
  const built = buildWebhooksConfig(parsed.data);
  return { config: built.config, variables: built.problems.map((problem) => problem.variable) };
}

describe(buildWebhooksConfig.name, () => {
  it('defaults to no global endpoint and public targets only', () => {
    const { config, variables } = load({});

    expect(variables).toEqual([]);
    expect(config).toEqual({
      deploymentEndpoint: undefined,
      allowPrivateTargets: false,
      retryScheduleMs: [
        0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
      ],
      disableAfterMs: 5 * 24 * 60 * 60 * 1000,
      operatorEmail: undefined,
    });
  });

  it('retries over about 27.6 hours by default (R-SEC-3)', () => {
    const total = load({}).config?.retryScheduleMs.reduce((sum, ms) => sum + ms, 0) ?? 0;

    expect(total / 3_600_000).toBeCloseTo(27.58, 2);
  });

  it('reads a schedule as whole milliseconds, spaces allowed', () => {
    expect(load({ WEBHOOK_RETRY_SCHEDULE_MS: ' 0, 50 ,100' }).config?.retryScheduleMs).toEqual([
      0, 50, 100,
    ]);
  });

  it.each([
    ['an empty entry', '0,,100'],
    ['a unit', '0,5s'],
    ['a negative delay', '0,-5'],
    ['a delay over 7 days', `0,${String(8 * 24 * 60 * 60 * 1000)}`],
    ['more than 20 attempts', Array.from({ length: 21 }, () => '0').join(',')],
  ])('rejects a schedule with %s', (_, value) => {
    expect(load({ WEBHOOK_RETRY_SCHEDULE_MS: value }).variables).toEqual([
      'WEBHOOK_RETRY_SCHEDULE_MS',
    ]);
  });

  it('checks the other webhook variables and names each one', () => {
    expect(
      load({
        WEBHOOK_DISABLE_AFTER_MS: '0',
        OPERATOR_EMAIL: 'Ops <ops@example.com>',
      }).variables.sort(),
    ).toEqual(['OPERATOR_EMAIL', 'WEBHOOK_DISABLE_AFTER_MS']);
    expect(load({ OPERATOR_EMAIL: 'ops@example.com' }).config?.operatorEmail).toBe(
      'ops@example.com',
    );
  });

  it('builds the global endpoint from the URL and its whsec_ secret', () => {
    const secret = secretOf(32);

    const { config, variables } = load({
      DEPLOYMENT_WEBHOOK_URL: 'http://127.0.0.1:9000/hooks',
      DEPLOYMENT_WEBHOOK_SECRET: secret,
    });

    expect(variables).toEqual([]);
    expect(config?.deploymentEndpoint).toEqual({ url: 'http://127.0.0.1:9000/hooks', secret });
  });

  it('reports a missing secret when the URL is set', () => {
    expect(load({ DEPLOYMENT_WEBHOOK_URL: 'https://ops.example.com/hooks' }).variables).toEqual([
      'DEPLOYMENT_WEBHOOK_SECRET',
    ]);
  });

  it('reports a secret without a URL to sign for', () => {
    expect(load({ DEPLOYMENT_WEBHOOK_SECRET: secretOf(32) }).variables).toEqual([
      'DEPLOYMENT_WEBHOOK_URL',
    ]);
  });

  it.each([
    ['no whsec_ prefix', randomBytes(32).toString('base64')],
    ['too few key bytes', secretOf(16)],
    ['too many key bytes', secretOf(65)],
    ['not base64', 'whsec_not*base64!'],
  ])('rejects a secret with %s', (_, secret) => {
    expect(
      load({
        DEPLOYMENT_WEBHOOK_URL: 'https://ops.example.com/hooks',
        DEPLOYMENT_WEBHOOK_SECRET: secret,
      }).variables,
    ).toEqual(['DEPLOYMENT_WEBHOOK_SECRET']);
  });

  it('rejects a URL that is not http(s)', () => {
    expect(
      load({
        DEPLOYMENT_WEBHOOK_URL: 'ftp://ops.example.com',
        DEPLOYMENT_WEBHOOK_SECRET: secretOf(32),
      }).variables,
    ).toEqual(['DEPLOYMENT_WEBHOOK_URL']);
  });

  it('reads WEBHOOKS_ALLOW_PRIVATE_TARGETS as a boolean and rejects other words', () => {
    expect(load({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' }).config?.allowPrivateTargets).toBe(true);
    expect(load({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'false' }).config?.allowPrivateTargets).toBe(
      false,
    );
    expect(load({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'maybe' }).variables).toEqual([
      'WEBHOOKS_ALLOW_PRIVATE_TARGETS',
    ]);
  });
});
