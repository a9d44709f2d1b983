import {
  createRemoteJWKSet,
  errors as joseErrors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';

import type { AuthConfig } from '../../config/auth-env.ts';
import { UnauthenticatedError, UnavailableError } from '../../errors/app-error.ts';
import { findUnsafeText } from '../middleware/reject-unsafe-text.ts';

export interface VerifiedClaims {
  readonly sub: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly role: string | null;
}

export type TokenVerifier = (token: string) => Promise<VerifiedClaims>;

const invalidToken = (cause?: unknown) =>
  new UnauthenticatedError('auth.invalid_token', 'The bearer token is invalid or expired.', {
    cause,
  });

/**
 * A text claim, refused (401) when it holds NUL or a lone surrogate: such a value would reach
 * the users table on every request of that token and fail there (R-SEC-4).
 */
function stringClaim(payload: JWTPayload, name: string): string | null {
  const value = payload[name];
  if (typeof value !== 'string' || value === '') {
    return null;
  }
  if (findUnsafeText(value) !== undefined) {
    throw invalidToken();
  }
  return value;
}

/** Supabase keeps the display name in user_metadata; plain OIDC tokens carry `name`. */
function nameClaim(payload: JWTPayload): string | null {
  const metadata = payload.user_metadata;
  if (typeof metadata === 'object' && metadata !== null) {
    const { full_name: fullName, name } = metadata as Record<string, unknown>;
    for (const candidate of [fullName, name]) {
      if (typeof candidate === 'string' && candidate !== '') {
        if (findUnsafeText(candidate) !== undefined) {
          throw invalidToken();
        }
        return candidate.slice(0, 200);
      }
    }
  }
  return stringClaim(payload, 'name')?.slice(0, 200) ?? null;
}

/**
 * A bad token is the caller's problem (401); a key set we cannot fetch or read is ours (503),
 * so an outage of the identity provider never looks like every user logging out.
 */
function classifyVerificationError(err: unknown): Error {
  const keySetUnusable =
    err instanceof joseErrors.JWKSTimeout ||
    err instanceof joseErrors.JWKSInvalid ||
    !(err instanceof joseErrors.JOSEError);
  if (keySetUnusable) {
    return new UnavailableError('dependency.unavailable', 'The signing keys could not be loaded.', {
      cause: err,
    });
  }
  return invalidToken(err);
}

/**
 * jose checks that `exp` has not passed (and that `iat`, when present, is a number). This
 * bounds the rest: an `iat` in the future beyond the skew, a token issued for longer than the
 * cap, and an `exp` further ahead than the cap (`exp: 1e308`).
 */
function isWithinLifetime(payload: JWTPayload, config: AuthConfig, nowSeconds: number): boolean {
  const { exp, iat } = payload;
  if (exp === undefined) {
    return false;
  }
  const skew = config.clockSkewSeconds;
  const cap = config.maxTokenLifetimeSeconds;
  if (exp > nowSeconds + cap + skew) {
    return false;
  }
  return iat === undefined || (iat <= nowSeconds + skew && exp - iat <= cap + skew);
}

/**
 * Verifies bearer JWTs: HS256 with a shared secret (Supabase's JWT secret) or asymmetric keys
 * from a JWKS URL. Expiry is always enforced; issuer and audience when configured. An `iat`
 * may not lie in the future beyond the clock skew, and no token lives longer than the
 * configured cap, whatever its `exp` says.
 */
export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const key: Uint8Array | JWTVerifyGetKey =
    config.jwksUrl === undefined
      ? new TextEncoder().encode(config.jwtSecret ?? '')
      : createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5_000 });
  const algorithms = config.jwksUrl === undefined ? ['HS256'] : ['RS256', 'ES256', 'EdDSA'];

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: config.clockSkewSeconds,
        ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
        ...(config.audience === undefined ? {} : { audience: config.audience }),
      }));
    } catch (err) {
      throw classifyVerificationError(err);
    }
    if (!isWithinLifetime(payload, config, Date.now() / 1000)) {
      throw invalidToken();
    }
    const sub = stringClaim(payload, 'sub');
    if (sub === null || sub.length > 255) {
      throw invalidToken();
    }
    return {
      sub,
      email: stringClaim(payload, 'email')?.slice(0, 320) ?? null,
      name: nameClaim(payload),
      role: stringClaim(payload, config.roleClaim),
    };
  };
}
