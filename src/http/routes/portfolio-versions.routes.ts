import { createRoute, z } from '@hono/zod-openapi';

import type { PortfolioService } from '../../features/portfolios/portfolios.service.ts';
import { createRouter } from '../create-router.ts';
import {
  jsonResponse,
  pageOf,
  paginationQuerySchema,
  problemResponses,
  toPageRequest,
  uuidParam,
} from '../openapi/common-schemas.ts';
import {
  portfolioSchema,
  presentPortfolio,
  presentVersion,
  presentVersionSummary,
  versionSchema,
  versionSummarySchema,
} from '../openapi/portfolio-schemas.ts';

const tags = ['Versions'];
const security = [{ bearerAuth: [] }];
const versionParams = z.object({
  id: uuidParam,
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(2_147_483_647)
    .openapi({ param: { name: 'version', in: 'path' }, example: 1 }),
});

const listVersions = createRoute({
  method: 'get',
  path: '/portfolios/{id}/versions',
  tags,
  security,
  summary: 'List the versions of a portfolio, newest first (archived ones included)',
  request: { params: z.object({ id: uuidParam }), query: paginationQuerySchema },
  responses: {
    200: jsonResponse('A page of versions', pageOf(versionSummarySchema)),
    ...problemResponses,
  },
});

const getVersion = createRoute({
  method: 'get',
  path: '/portfolios/{id}/versions/{version}',
  tags,
  security,
  summary: 'Get one version with its content',
  request: { params: versionParams },
  responses: {
    200: jsonResponse('The version', versionSchema),
    ...problemResponses,
  },
});

const restoreVersion = createRoute({
  method: 'post',
  path: '/portfolios/{id}/versions/{version}/restore',
  tags,
  security,
  summary: 'Restore a version: its content becomes a new, latest version',
  request: { params: versionParams },
  responses: {
    200: jsonResponse('The portfolio after the restore', portfolioSchema),
    ...problemResponses,
  },
});

export function portfolioVersionRoutes(deps: { readonly portfolios: PortfolioService }) {
  const { portfolios } = deps;
  return createRouter()
    .openapi(listVersions, async (c) => {
      const page = await portfolios.listVersions(
        c.get('user').id,
        c.req.valid('param').id,
        toPageRequest(c.req.valid('query')),
      );
      return c.json(
        { data: page.data.map(presentVersionSummary), pagination: page.pagination },
        200,
      );
    })
    .openapi(getVersion, async (c) => {
      const { id, version } = c.req.valid('param');
      return c.json(
        presentVersion(await portfolios.getVersion(c.get('user').id, id, version)),
        200,
      );
    })
    .openapi(restoreVersion, async (c) => {
      const { id, version } = c.req.valid('param');
      const portfolio = await portfolios.restoreVersion(c.get('user').id, id, version);
      return c.json(presentPortfolio(portfolio), 200);
    });
}
