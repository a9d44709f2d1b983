import type { Logger } from 'pino';

export interface AuthenticatedUser {
  readonly id: string;
  readonly email: string | null;
  readonly isAdmin: boolean;
}

/** Request-scoped values set by middleware; typed for every handler through Hono's Env. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    user: AuthenticatedUser;
  };
}
