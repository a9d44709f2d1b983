import {
  createRemoteJWKSet,
  errors as joseErrors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';

import type { Config } from '../../config/env.ts';
import { UnauthenticatedError, UnavailableError } from '../../errors/app-error.ts';

export type AuthConfig = Config['auth'];

export interface VerifiedClaims {
  readonly sub: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly role: string | null;
}

export type TokenVerifier = (token: string) => Promise<VerifiedClaims>;

function stringClaim(payload: JWTPayload, name: string): string | null {
  const value = payload[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Supabase keeps the display name in user_metadata; plain OIDC tokens carry `name`. */
function nameClaim(payload: JWTPayload): string | null {
  const metadata = payload.user_metadata;
  if (typeof metadata === 'object' && metadata !== null) {
    const { full_name: fullName, name } = metadata as Record<string, unknown>;
    for (const candidate of [fullName, name]) {
      if (typeof candidate === 'string' && candidate !== '') {
        return candidate.slice(0, 200);
      }
    }
  }
  return stringClaim(payload, 'name')?.slice(0, 200) ?? null;
}

const invalidToken = (cause?: unknown) =>
  new UnauthenticatedError('auth.invalid_token', 'The bearer token is invalid or expired.', {
    cause,
  });

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
 * Verifies bearer JWTs: HS256 with a shared secret (Supabase's JWT secret) or asymmetric keys
 * from a JWKS URL. Expiry is always enforced; issuer and audience when configured.
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
        ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
        ...(config.audience === undefined ? {} : { audience: config.audience }),
      }));
    } catch (err) {
      throw classifyVerificationError(err);
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
