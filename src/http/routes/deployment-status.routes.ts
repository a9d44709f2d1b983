import { createRoute, z } from '@hono/zod-openapi';

import type { DeploymentStatusView } from '../../features/deployments/deployment-status.repository.ts';
import type { DeploymentStatusPage } from '../../features/deployments/deployment-status-page.ts';
import { escapeHtml } from '../../lib/escape-html.ts';
import { createRouter } from '../create-router.ts';
import { problemSchema, uuidParam } from '../openapi/common-schemas.ts';

const problemContent = { 'application/problem+json': { schema: problemSchema } };

const readStatusPage = createRoute({
  method: 'get',
  path: '/status/deployments/{id}',
  tags: ['Deployments'],
  summary: 'A read-only page of one deployment, opened from the signed link in a mail',
  description:
    'Mail links lead here when no EDITOR_URL is configured: no bearer token, only the signature ' +
    'and expiry the link carries.',
  request: {
    params: z.object({ id: uuidParam }),
    query: z.object({
      expires: z.string().regex(/^\d{1,12}$/, 'Unix seconds'),
      signature: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'base64url'),
    }),
  },
  responses: {
    200: {
      description: 'The page',
      content: { 'text/html': { schema: z.string() } },
    },
    400: { description: 'Malformed link', content: problemContent },
    403: { description: 'A link this service did not sign', content: problemContent },
    404: { description: 'The deployment or its portfolio is gone', content: problemContent },
    410: { description: 'The link has expired', content: problemContent },
  },
});

const STATUS_WORDS: Readonly<Record<DeploymentStatusView['status'], string>> = {
  QUEUED: 'Queued',
  VALIDATING: 'Checking the portfolio',
  BUILDING: 'Building the site',
  UPLOADING: 'Uploading the site',
  CONFIGURING: 'Setting up the address',
  DEPLOYED: 'Live',
  FAILED: 'Failed',
};

function row(label: string, value: string): string {
  return `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

/** A page with no script, no style sheet and nothing fetched: the CSP allows none. */
function renderPage(view: DeploymentStatusView): string {
  const rows = [
    row('Portfolio', escapeHtml(view.portfolioTitle)),
    row('Status', `${escapeHtml(STATUS_WORDS[view.status])} (${String(view.progress)} %)`),
    row('Requested', escapeHtml(view.queuedAt.toUTCString())),
    ...(view.finishedAt === null
      ? []
      : [row('Finished', escapeHtml(view.finishedAt.toUTCString()))]),
    ...(view.error === null ? [] : [row('Reason', escapeHtml(view.error.message))]),
    ...(view.status === 'DEPLOYED' && view.siteUrl !== null
      ? [row('Address', `<a href="${escapeHtml(view.siteUrl)}">${escapeHtml(view.siteUrl)}</a>`)]
      : []),
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="robots" content="noindex">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Deployment status · RoleRabbit</title></head>',
    `<body><h1>Deployment of ${escapeHtml(view.portfolioTitle)}</h1>`,
    `<table>${rows.join('')}</table>`,
    '<p>Open the portfolio in the RoleRabbit editor to change it or deploy again.</p>',
    '</body></html>',
  ].join('\n');
}

/** The signed, read-only status page of a deployment (issue 8, fault 7). */
export function deploymentStatusRoutes(deps: { readonly statusPage: DeploymentStatusPage }) {
  return createRouter().openapi(readStatusPage, async (c) => {
    const { id } = c.req.valid('param');
    const view = await deps.statusPage.read(id, c.req.valid('query'));
    return c.html(renderPage(view), 200, {
      'cache-control': 'private, no-store',
      'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'",
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex',
    });
  });
}
