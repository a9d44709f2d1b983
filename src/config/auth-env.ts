import { z } from 'zod';

import type { ConfigProblem } from './config-problem.ts';

/**
 * The development-only HS256 secret. `npm start` signs demo tokens with it; production
 * refuses to start with it, and `token` refuses to sign with anything else.
 */
export const DEVELOPMENT_JWT_SECRET = 'rolerabbit-local-development-jwt-secret-not-for-production';

/** The lifetime of tokens the `token` command signs; the lifetime cap may not be below it. */
export const DEVELOPMENT_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Bearer JWT verification (R-PLAT-2). */
export const authEnvShape = {
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_ROLE_CLAIM: z.string().min(1).default('role'),
  AUTH_ADMIN_ROLE: z.string().min(1).default('admin'),
  /** How far the issuer's clock may run ahead of or behind ours. */
  AUTH_CLOCK_SKEW_S: seconds(0, 600).default(60),
  /** Tokens issued for longer than this are refused, whatever their `exp` says. */
  AUTH_MAX_TOKEN_LIFETIME_S: z.coerce
    .number()
    .int()
    .min(DEVELOPMENT_TOKEN_LIFETIME_SECONDS, "must be at least 43200 (the CLI's 12-hour tokens)")
    .max(30 * 24 * 60 * 60)
    .default(24 * 60 * 60),
};

export type AuthEnv = z.infer<z.ZodObject<typeof authEnvShape>>;

export interface AuthConfig {
  readonly jwtSecret: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly roleClaim: string;
  readonly adminRole: string;
  readonly clockSkewSeconds: number;
  readonly maxTokenLifetimeSeconds: number;
  /** True when tokens are verified with {@link DEVELOPMENT_JWT_SECRET}. */
  readonly usesDevelopmentSecret: boolean;
}

export function buildAuthConfig(
  env: AuthEnv,
  production: boolean,
): { readonly config: AuthConfig; readonly problems: readonly ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  if (env.AUTH_JWT_SECRET !== undefined && env.AUTH_JWKS_URL !== undefined) {
    problems.push({
      variable: 'AUTH_JWKS_URL',
      message: 'set AUTH_JWT_SECRET or AUTH_JWKS_URL, not both',
    });
  }
  if (production && env.AUTH_JWT_SECRET === undefined && env.AUTH_JWKS_URL === undefined) {
    problems.push({
      variable: 'AUTH_JWT_SECRET',
      message: 'production needs AUTH_JWT_SECRET (e.g. the Supabase JWT secret) or AUTH_JWKS_URL',
    });
  }
  if (production && env.AUTH_JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
    problems.push({
      variable: 'AUTH_JWT_SECRET',
      message: 'the development secret is refused in production',
    });
  }
  const jwtSecret =
    env.AUTH_JWKS_URL === undefined ? (env.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET) : undefined;
  return {
    config: {
      jwtSecret,
      jwksUrl: env.AUTH_JWKS_URL,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      roleClaim: env.AUTH_ROLE_CLAIM,
      adminRole: env.AUTH_ADMIN_ROLE,
      clockSkewSeconds: env.AUTH_CLOCK_SKEW_S,
      maxTokenLifetimeSeconds: env.AUTH_MAX_TOKEN_LIFETIME_S,
      usesDevelopmentSecret: jwtSecret === DEVELOPMENT_JWT_SECRET,
    },
    problems,
  };
}
