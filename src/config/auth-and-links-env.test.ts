import { describe, expect, it } from 'vitest';

import { configProblemsOf } from '../../test/support/config-problems.ts';
import { loadConfig } from './env.ts';

describe('token lifetime settings', () => {
  it('default to a 60 s skew and a 24 h cap', () => {
    const { auth } = loadConfig({});

    expect(auth.clockSkewSeconds).toBe(60);
    expect(auth.maxTokenLifetimeSeconds).toBe(86_400);
  });

  it("refuse a cap below the CLI's 12-hour tokens, naming the variable", () => {
    const problems = configProblemsOf({ AUTH_MAX_TOKEN_LIFETIME_S: '3600' });

    expect(problems.AUTH_MAX_TOKEN_LIFETIME_S).toMatch(/43200/);
  });
});

describe('mail link settings', () => {
  it('have no editor by default and a 7-day status link', () => {
    const { links } = loadConfig({});

    expect(links.editorUrl).toBeUndefined();
    expect(links.statusLinkTtlSeconds).toBe(7 * 24 * 60 * 60);
  });

  it('drop a trailing slash from EDITOR_URL', () => {
    expect(loadConfig({ EDITOR_URL: 'https://app.example.com/' }).links.editorUrl).toBe(
      'https://app.example.com',
    );
  });

  it('refuse an editor path without {deploymentId} and an EDITOR_URL that is not http(s)', () => {
    const badPath = configProblemsOf({ EDITOR_DEPLOYMENT_PATH: '/portfolios/{portfolioId}' });
    const badUrl = configProblemsOf({ EDITOR_URL: 'javascript:alert(1)' });

    expect(badPath.EDITOR_DEPLOYMENT_PATH).toMatch(/\{deploymentId\}/);
    expect(Object.keys(badUrl)).toEqual(['EDITOR_URL']);
  });
});
