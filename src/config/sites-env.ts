import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

/** A DNS label as portfolios may use one: lower-case letters, digits and inner hyphens. */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Portfolio sites on `{subdomain}.{BASE_DOMAIN}`: names the operator keeps for itself. */
export const sitesEnvShape = {
  /**
   * Comma-separated subdomains no portfolio may take, beside the built-in list (`www`, `api`,
   * ...): e.g. `careers,jobs,shop`. Matched without regard to case.
   */
  RESERVED_SUBDOMAINS: z.string().optional(),
};

export type SitesEnv = z.infer<z.ZodObject<typeof sitesEnvShape>>;

export interface SitesConfig {
  /** The operator's reserved subdomains, lower-case, without duplicates. */
  readonly reservedSubdomains: ReadonlySet<string>;
}

export function buildSitesConfig(env: SitesEnv): {
  readonly config: SitesConfig;
  readonly problems: readonly ConfigProblem[];
} {
  const names = (env.RESERVED_SUBDOMAINS ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const invalid = names.filter((name) => !LABEL.test(name));
  return {
    config: { reservedSubdomains: new Set(names.filter((name) => LABEL.test(name))) },
    problems:
      invalid.length === 0
        ? []
        : [
            {
              variable: 'RESERVED_SUBDOMAINS',
              message: `not subdomain labels (a-z, 0-9, inner hyphens, at most 63): ${invalid.map((name) => JSON.stringify(name)).join(', ')}`,
            },
          ],
  };
}
