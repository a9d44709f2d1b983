import type { AcmeChallengeStore } from '../../integrations/ssl/acme-challenge-store.ts';
import { createRouter } from '../create-router.ts';

/** RFC 8555 §8.1: a token is base64url; anything else cannot be one of ours. */
const TOKEN = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * `GET /.well-known/acme-challenge/:token` (RFC 8555 §8.3): the CA fetches this over plain
 * HTTP on port 80 of the hostname being validated and expects the key authorization as the
 * body. Unauthenticated by design; mount it at the root, outside `/api`.
 */
export function acmeChallengeRoutes(deps: { readonly challenges: AcmeChallengeStore }) {
  const router = createRouter();
  router.get('/.well-known/acme-challenge/:token', async (c) => {
    const token = c.req.param('token');
    const keyAuthorization = TOKEN.test(token) ? await deps.challenges.find(token) : undefined;
    c.header('cache-control', 'no-store');
    if (keyAuthorization === undefined) {
      return c.text('Unknown challenge token.\n', 404);
    }
    return c.text(keyAuthorization, 200);
  });
  return router;
}
