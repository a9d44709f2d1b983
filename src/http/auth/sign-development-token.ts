import { SignJWT } from 'jose';

import { DEVELOPMENT_TOKEN_LIFETIME_SECONDS } from '../../config/auth-env.ts';

export interface DevelopmentTokenClaims {
  readonly sub: string;
  readonly email: string;
  readonly name?: string;
  readonly role?: string;
}

/**
 * Signs an HS256 token shaped like Supabase's (sub, email, role, aud "authenticated").
 * Used by the `token` command and by tests; never by the running API.
 */
export async function signDevelopmentToken(
  secret: string,
  claims: DevelopmentTokenClaims,
  expiresIn: string | number = `${String(DEVELOPMENT_TOKEN_LIFETIME_SECONDS)}s`,
): Promise<string> {
  return new SignJWT({
    email: claims.email,
    role: claims.role ?? 'authenticated',
    ...(claims.name === undefined ? {} : { user_metadata: { full_name: claims.name } }),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
