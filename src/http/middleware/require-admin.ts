import type { MiddlewareHandler } from 'hono';

import { ForbiddenError } from '../../errors/app-error.ts';
import type { AppEnv } from '../app-env.ts';

/** After `authenticate`: only callers whose role claim is the configured admin role pass. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdmin(c, next) {
    if (!c.get('user').isAdmin) {
      throw new ForbiddenError('auth.forbidden', 'This operation is for administrators.');
    }
    await next();
  };
}
