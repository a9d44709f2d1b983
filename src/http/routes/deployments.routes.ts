import { createRoute, z } from '@hono/zod-openapi';

import type { DeploymentService } from '../../features/deployments/deployments.service.ts';
import { createRouter } from '../create-router.ts';
import {
  conflictResponse,
  jsonResponse,
  pageOf,
  paginationQuerySchema,
  problemResponses,
  problemSchema,
  toPageRequest,
  uuidParam,
} from '../openapi/common-schemas.ts';
import {
  deploymentSchema,
  deploymentSummarySchema,
  presentDeployment,
  presentDeploymentSummary,
} from '../openapi/deployment-schemas.ts';

const tags = ['Deployments'];
const security = [{ bearerAuth: [] }];
const portfolioParams = z.object({ id: uuidParam });
const deploymentParams = z.object({ id: uuidParam });
const rollbackParams = z.object({
  id: uuidParam,
  deploymentId: z.uuid().openapi({ param: { name: 'deploymentId', in: 'path' } }),
});

const unavailableResponse = {
  503: {
    description: 'A dependency is unavailable; the request is safe to repeat',
    content: { 'application/problem+json': { schema: problemSchema } },
  },
} as const;

const locationOf = (deploymentId: string) => `/api/deployments/${deploymentId}`;

const requestDeployment = createRoute({
  method: 'post',
  path: '/portfolios/{id}/deployments',
  tags,
  security,
  summary: "Deploy the portfolio's current version to its subdomain",
  description:
    'Answers 202 with the QUEUED deployment and a Location to poll. While a deployment of ' +
    'the portfolio is queued or running, the request returns that one instead (same 202 and ' +
    'Location): there is never more than one. The portfolio needs a subdomain ' +
    '(400 `deployment.subdomain_missing`). The job starts even if the queue is down now.',
  request: { params: portfolioParams },
  responses: {
    202: {
      ...jsonResponse('The new deployment, or the one already under way', deploymentSchema),
      headers: z.object({
        Location: z.string().openapi({ example: '/api/deployments/{deploymentId}' }),
      }),
    },
    ...problemResponses,
  },
});

const getDeployment = createRoute({
  method: 'get',
  path: '/deployments/{id}',
  tags,
  security,
  summary: 'Status, step, progress, attempt, URL and log of one of your deployments',
  request: { params: deploymentParams },
  responses: { 200: jsonResponse('The deployment', deploymentSchema), ...problemResponses },
});

const listDeployments = createRoute({
  method: 'get',
  path: '/portfolios/{id}/deployments',
  tags,
  security,
  summary: "The portfolio's deployments, newest first (without logs)",
  request: { params: portfolioParams, query: paginationQuerySchema },
  responses: {
    200: jsonResponse('A page of deployments', pageOf(deploymentSummarySchema)),
    ...problemResponses,
  },
});

const rollback = createRoute({
  method: 'post',
  path: '/portfolios/{id}/deployments/{deploymentId}/rollback',
  tags,
  security,
  summary: 'Serve an earlier successful deployment again, without rebuilding',
  description:
    "Switches the portfolio's live deployment to this DEPLOYED one and clears the cached " +
    'site mapping. A deployment that is already live is answered 200 as is (idempotent); ' +
    'one that is not DEPLOYED is refused with 409 `deployment.not_deployed`. A deployment ' +
    'finishing later becomes live in turn.',
  request: { params: rollbackParams },
  responses: {
    200: jsonResponse('The deployment now live', deploymentSchema),
    ...problemResponses,
    ...conflictResponse,
    ...unavailableResponse,
  },
});

export function deploymentRoutes(deps: { readonly deployments: DeploymentService }) {
  const { deployments } = deps;
  return createRouter()
    .openapi(requestDeployment, async (c) => {
      const { deployment } = await deployments.requestDeployment(
        c.get('user').id,
        c.req.valid('param').id,
      );
      c.header('location', locationOf(deployment.id));
      return c.json(presentDeployment(deployment), 202);
    })
    .openapi(getDeployment, async (c) => {
      const deployment = await deployments.getDeployment(c.get('user').id, c.req.valid('param').id);
      // Polled while it runs: every answer must come from the server.
      c.header('cache-control', 'no-store');
      return c.json(presentDeployment(deployment), 200);
    })
    .openapi(listDeployments, async (c) => {
      const page = await deployments.listDeployments(
        c.get('user').id,
        c.req.valid('param').id,
        toPageRequest(c.req.valid('query')),
      );
      return c.json(
        { data: page.data.map(presentDeploymentSummary), pagination: page.pagination },
        200,
      );
    })
    .openapi(rollback, async (c) => {
      const { id, deploymentId } = c.req.valid('param');
      const { deployment } = await deployments.rollback(c.get('user').id, id, deploymentId);
      return c.json(presentDeployment(deployment), 200);
    });
}
