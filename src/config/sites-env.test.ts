import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { loadConfig } from './env.ts';
import { buildSitesConfig, sitesEnvShape } from './sites-env.ts';

const schema = z.object(sitesEnvShape);

function build(env: Record<string, string>) {
  return buildSitesConfig(schema.parse(env));
}

describe(buildSitesConfig.name, () => {
  it('reserves nothing more by default', () => {
    expect(build({})).toEqual({ config: { reservedSubdomains: new Set() }, problems: [] });
  });

  it('reads a comma list, trimmed and lower-cased, skipping empty entries', () => {
    const { config, problems } = build({ RESERVED_SUBDOMAINS: ' Careers, jobs ,,shop,jobs,' });

    expect(problems).toEqual([]);
    expect([...config.reservedSubdomains]).toEqual(['careers', 'jobs', 'shop']);
  });

  it('names every entry that is not a subdomain label', () => {
    const { problems } = build({ RESERVED_SUBDOMAINS: 'careers,shop.example.com,-x,a b' });

    expect(problems).toEqual([
      {
        variable: 'RESERVED_SUBDOMAINS',
        message: expect.stringContaining('"shop.example.com", "-x", "a b"') as unknown,
      },
    ]);
  });

  it('stops start-up with the variable named', () => {
    expect(() => loadConfig({ RESERVED_SUBDOMAINS: 'under_score' })).toThrow(
      /RESERVED_SUBDOMAINS: not subdomain labels/,
    );
  });
});
