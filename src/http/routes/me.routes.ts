import { createRoute, z } from '@hono/zod-openapi';

import { createRouter } from '../create-router.ts';
import { problemResponses } from '../openapi/common-schemas.ts';

const getMe = createRoute({
  method: 'get',
  path: '/me',
  tags: ['Account'],
  security: [{ bearerAuth: [] }],
  summary: 'Who the bearer token belongs to',
  responses: {
    200: {
      description: 'The caller',
      content: {
        'application/json': {
          schema: z.object({ id: z.string(), email: z.string().nullable(), isAdmin: z.boolean() }),
        },
      },
    },
    401: problemResponses[401],
  },
});

export function meRoutes() {
  return createRouter().openapi(getMe, (c) => {
    const { id, email, isAdmin } = c.get('user');
    return c.json({ id, email, isAdmin }, 200);
  });
}
