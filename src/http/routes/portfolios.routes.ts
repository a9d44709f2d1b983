import { createRoute, z } from '@hono/zod-openapi';

import {
  createPortfolioInputSchema,
  updatePortfolioInputSchema,
} from '../../features/portfolios/portfolio.types.ts';
import type { PortfolioService } from '../../features/portfolios/portfolios.service.ts';
import { createRouter } from '../create-router.ts';
import {
  conflictResponse,
  jsonResponse,
  pageOf,
  paginationQuerySchema,
  problemResponses,
  toPageRequest,
  uuidParam,
} from '../openapi/common-schemas.ts';
import {
  portfolioSchema,
  portfolioSummarySchema,
  presentPortfolio,
  presentPortfolioSummary,
} from '../openapi/portfolio-schemas.ts';

const tags = ['Portfolios'];
const security = [{ bearerAuth: [] }];
const idParams = z.object({ id: uuidParam });

const createPortfolio = createRoute({
  method: 'post',
  path: '/portfolios',
  tags,
  security,
  summary: 'Create a portfolio (version 1 is recorded)',
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: createPortfolioInputSchema } },
    },
  },
  responses: {
    201: jsonResponse('Created', portfolioSchema),
    ...problemResponses,
    ...conflictResponse,
  },
});

const listPortfolios = createRoute({
  method: 'get',
  path: '/portfolios',
  tags,
  security,
  summary: 'List your portfolios, newest first',
  request: { query: paginationQuerySchema },
  responses: {
    200: jsonResponse('A page of portfolios', pageOf(portfolioSummarySchema)),
    ...problemResponses,
  },
});

const getPortfolio = createRoute({
  method: 'get',
  path: '/portfolios/{id}',
  tags,
  security,
  summary: 'Get one of your portfolios',
  request: { params: idParams },
  responses: { 200: jsonResponse('The portfolio', portfolioSchema), ...problemResponses },
});

const updatePortfolio = createRoute({
  method: 'patch',
  path: '/portfolios/{id}',
  tags,
  security,
  summary: 'Change a portfolio; each change records a new version',
  request: {
    params: idParams,
    body: {
      required: true,
      content: { 'application/json': { schema: updatePortfolioInputSchema } },
    },
  },
  responses: {
    200: jsonResponse('The updated portfolio', portfolioSchema),
    ...problemResponses,
    ...conflictResponse,
  },
});

const deletePortfolio = createRoute({
  method: 'delete',
  path: '/portfolios/{id}',
  tags,
  security,
  summary: 'Delete a portfolio (its slug and subdomain become free)',
  request: { params: idParams },
  responses: { 204: { description: 'Deleted' }, ...problemResponses },
});

const publishRoute = (action: 'publish' | 'unpublish') =>
  createRoute({
    method: 'post',
    path: `/portfolios/{id}/${action}`,
    tags,
    security,
    summary: action === 'publish' ? 'Mark a portfolio as published' : 'Withdraw a publication',
    request: { params: idParams },
    responses: {
      200: jsonResponse('The portfolio', portfolioSchema),
      ...problemResponses,
    },
  });

export function portfolioRoutes(deps: { readonly portfolios: PortfolioService }) {
  const { portfolios } = deps;
  return createRouter()
    .openapi(createPortfolio, async (c) => {
      const portfolio = await portfolios.createPortfolio(c.get('user').id, c.req.valid('json'));
      c.header('location', `/api/portfolios/${portfolio.id}`);
      return c.json(presentPortfolio(portfolio), 201);
    })
    .openapi(listPortfolios, async (c) => {
      const page = await portfolios.listPortfolios(
        c.get('user').id,
        toPageRequest(c.req.valid('query')),
      );
      return c.json(
        { data: page.data.map(presentPortfolioSummary), pagination: page.pagination },
        200,
      );
    })
    .openapi(getPortfolio, async (c) => {
      const portfolio = await portfolios.getPortfolio(c.get('user').id, c.req.valid('param').id);
      return c.json(presentPortfolio(portfolio), 200);
    })
    .openapi(updatePortfolio, async (c) => {
      const portfolio = await portfolios.updatePortfolio(
        c.get('user').id,
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      return c.json(presentPortfolio(portfolio), 200);
    })
    .openapi(deletePortfolio, async (c) => {
      await portfolios.deletePortfolio(c.get('user').id, c.req.valid('param').id);
      return c.body(null, 204);
    })
    .openapi(publishRoute('publish'), async (c) => {
      const portfolio = await portfolios.setPublished(
        c.get('user').id,
        c.req.valid('param').id,
        true,
      );
      return c.json(presentPortfolio(portfolio), 200);
    })
    .openapi(publishRoute('unpublish'), async (c) => {
      const portfolio = await portfolios.setPublished(
        c.get('user').id,
        c.req.valid('param').id,
        false,
      );
      return c.json(presentPortfolio(portfolio), 200);
    });
}
