import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { createRoute } from '@hono/zod-openapi';
import type { Queue } from 'bullmq';
import type { Hono } from 'hono';
import { setCookie } from 'hono/cookie';

import { createRouter } from '../create-router.ts';
import { requireAdmin } from '../middleware/require-admin.ts';
import { problemResponses } from '../openapi/common-schemas.ts';

/** Where the dashboard lives; its own API and assets sit below it. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue (R-JOB-14). Authentication and the admin check are the
 * caller's: this app trusts whoever reaches it.
 */
export function queueDashboardRoutes(deps: { readonly queues: readonly Queue[] }): Hono {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: deps.queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'RoleRabbit queues' } },
  });
  return serverAdapter.registerPlugin();
}

/** Holds the admin's JWT for the dashboard pages, which a browser opens without headers. */
export const QUEUE_DASHBOARD_COOKIE = 'rr_queue_dashboard';
const SESSION_SECONDS = 60 * 60;

const openSession = createRoute({
  method: 'post',
  path: '/admin/queue-dashboard/session',
  tags: ['Admin'],
  security: [{ bearerAuth: [] }],
  summary: 'Lets this browser open the queue dashboard at /admin/queues for an hour',
  description:
    'Stores the bearer token in an HttpOnly, SameSite=Strict cookie scoped to /admin/queues. ' +
    'Every dashboard request still verifies the token and the admin role.',
  middleware: [requireAdmin()] as const,
  responses: {
    204: { description: 'Cookie set; open /admin/queues' },
    401: problemResponses[401],
    403: { description: 'Not an administrator', content: problemResponses[401].content },
  },
});

export function queueDashboardSessionRoutes(deps: { readonly secureCookie: boolean }) {
  return createRouter().openapi(openSession, (c) => {
    // authenticate already accepted this header, so the token is present and well formed.
    const token = (c.req.header('authorization') ?? '').replace(/^Bearer /, '');
    setCookie(c, QUEUE_DASHBOARD_COOKIE, token, {
      path: QUEUE_DASHBOARD_PATH,
      httpOnly: true,
      sameSite: 'Strict',
      secure: deps.secureCookie,
      maxAge: SESSION_SECONDS,
    });
    return c.body(null, 204);
  });
}
