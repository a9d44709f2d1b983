import { describe, expect, it } from 'vitest';

import { findSubdomainProblem, RESERVED_SUBDOMAINS } from './subdomain-rules.ts';

describe(findSubdomainProblem.name, () => {
  it.each(['abc', 'jane-doe', 'a1b2c3', 'x'.repeat(63), '123'])('accepts %j', (subdomain) => {
    expect(findSubdomainProblem(subdomain)).toBeUndefined();
  });

  it.each([
    ['ab', 'must be 3-63 characters'],
    ['x'.repeat(64), 'must be 3-63 characters'],
    ['Jane', 'must be lower-case'],
    ['jane-', 'may contain only'],
    ['-jane', 'may contain only'],
    ['ja.ne', 'may contain only'],
    ['jané', 'may contain only'],
    ['xn--jane', 'hyphens in the third and fourth'],
    ['www', 'is reserved'],
  ])('refuses %j: %s', (subdomain, problem) => {
    expect(findSubdomainProblem(subdomain)).toContain(problem);
  });

  it('reserves at least 30 platform names, all of them valid labels otherwise', () => {
    expect(RESERVED_SUBDOMAINS.size).toBeGreaterThanOrEqual(30);
    for (const name of ['www', 'api', 'admin', 'app', 'mail', 'cdn', 'static', 'status', 'docs']) {
      expect(RESERVED_SUBDOMAINS.has(name)).toBe(true);
    }
  });

  it('refuses the names the operator reserved, beside the built-in ones', () => {
    const operator = new Set(['careers']);

    expect(findSubdomainProblem('careers', operator)).toBe('is reserved');
    expect(findSubdomainProblem('careers')).toBeUndefined();
    expect(findSubdomainProblem('www', operator)).toBe('is reserved');
  });
});
