import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';

import { UnauthenticatedError } from '../../errors/app-error.ts';
import type { UserClaims } from '../../features/users/users.repository.ts';
import type { AppEnv } from '../app-env.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';

export interface AuthenticateOptions {
  readonly verifyToken: TokenVerifier;
  readonly adminRole: string;
  /** Creates or refreshes the user row from the token's claims. */
  readonly recordUser: (claims: UserClaims) => Promise<void>;
}

// The scheme is case-insensitive (RFC 9110 §11.1); the token is RFC 6750's b64token.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Requires `Authorization: Bearer <JWT>` and sets `user` for the handlers. With
 * `tokenCookie`, a request without the header may carry the same JWT in that cookie instead
 * (pages a browser opens, such as the queue dashboard, cannot send the header).
 */
export function authenticate(
  options: AuthenticateOptions & { readonly tokenCookie?: string },
): MiddlewareHandler<AppEnv> {
  const { verifyToken, adminRole, recordUser, tokenCookie } = options;
  return async function authenticate(c, next) {
    const header = c.req.header('authorization');
    const cookieToken = tokenCookie === undefined ? undefined : getCookie(c, tokenCookie);
    if ((header === undefined || header === '') && cookieToken === undefined) {
      throw new UnauthenticatedError('auth.missing_token', 'Send Authorization: Bearer <token>.');
    }
    const token = header === undefined || header === '' ? cookieToken : BEARER.exec(header)?.[1];
    if (token === undefined || token === '') {
      throw new UnauthenticatedError('auth.invalid_token', 'Authorization must be a Bearer token.');
    }
    const claims = await verifyToken(token);
    await recordUser({ id: claims.sub, email: claims.email, name: claims.name });
    c.set('user', { id: claims.sub, email: claims.email, isAdmin: claims.role === adminRole });
    c.set('logger', c.get('logger').child({ userId: claims.sub }));
    await next();
  };
}
