import { createRoute, z } from '@hono/zod-openapi';

import {
  createWebhookEndpointInputSchema,
  updateWebhookEndpointInputSchema,
} from '../../features/webhooks/webhook.types.ts';
import type { WebhookEndpointService } from '../../features/webhooks/webhook-endpoints.service.ts';
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
  presentWebhookDelivery,
  presentWebhookEndpoint,
  presentWebhookEndpointWithSecret,
  presentWebhookPingResult,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
  webhookPingResultSchema,
} from '../openapi/webhook-schemas.ts';

const tags = ['Webhooks'];
const security = [{ bearerAuth: [] }];
const idParams = z.object({ id: uuidParam });
const deliveryParams = z.object({
  id: uuidParam,
  deliveryId: z.uuid().openapi({ param: { name: 'deliveryId', in: 'path' } }),
});

const createEndpoint = createRoute({
  method: 'post',
  path: '/webhook-endpoints',
  tags,
  security,
  summary: 'Register a webhook endpoint; the answer shows its signing secret, once',
  description:
    'The URL must use http(s), carry no credentials, and resolve only to public addresses.',
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: createWebhookEndpointInputSchema } },
    },
  },
  responses: {
    201: jsonResponse('Created, with the secret', webhookEndpointWithSecretSchema),
    ...problemResponses,
  },
});

const listEndpoints = createRoute({
  method: 'get',
  path: '/webhook-endpoints',
  tags,
  security,
  summary: 'List your webhook endpoints, newest first',
  request: { query: paginationQuerySchema },
  responses: {
    200: jsonResponse('A page of endpoints', pageOf(webhookEndpointSchema)),
    ...problemResponses,
  },
});

const getEndpoint = createRoute({
  method: 'get',
  path: '/webhook-endpoints/{id}',
  tags,
  security,
  summary: 'Get one of your webhook endpoints (never its secret)',
  request: { params: idParams },
  responses: { 200: jsonResponse('The endpoint', webhookEndpointSchema), ...problemResponses },
});

const updateEndpoint = createRoute({
  method: 'patch',
  path: '/webhook-endpoints/{id}',
  tags,
  security,
  summary: 'Change the URL, events or enabled flag; re-enabling clears the disabled reason',
  request: {
    params: idParams,
    body: {
      required: true,
      content: { 'application/json': { schema: updateWebhookEndpointInputSchema } },
    },
  },
  responses: {
    200: jsonResponse('The updated endpoint', webhookEndpointSchema),
    ...problemResponses,
  },
});

const deleteEndpoint = createRoute({
  method: 'delete',
  path: '/webhook-endpoints/{id}',
  tags,
  security,
  summary: 'Delete a webhook endpoint (its delivery log is kept without it)',
  request: { params: idParams },
  responses: { 204: { description: 'Deleted' }, ...problemResponses },
});

const rotateSecret = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{id}/rotate-secret',
  tags,
  security,
  summary: 'Replace the signing secret at once; the answer shows the new one, once',
  request: { params: idParams },
  responses: {
    200: jsonResponse('The endpoint with its new secret', webhookEndpointWithSecretSchema),
    ...problemResponses,
  },
});

const listDeliveries = createRoute({
  method: 'get',
  path: '/webhook-endpoints/{id}/deliveries',
  tags,
  security,
  summary: "The endpoint's deliveries, newest first, with their attempt counts",
  request: { params: idParams, query: paginationQuerySchema },
  responses: {
    200: jsonResponse('A page of deliveries', pageOf(webhookDeliverySchema)),
    ...problemResponses,
  },
});

const redeliver = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver',
  tags,
  security,
  summary: 'Send a succeeded or failed delivery again: same body and webhook-id, schedule anew',
  description:
    'Attempts follow the retry schedule from its start; attempt numbers continue. 409 while ' +
    'the delivery is still pending or the endpoint is disabled.',
  request: { params: deliveryParams },
  responses: {
    202: jsonResponse('Queued again', webhookDeliverySchema),
    ...problemResponses,
    ...conflictResponse,
  },
});

const testEndpoint = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{id}/test',
  tags,
  security,
  summary: 'Send one signed `ping` now and report what the receiver answered',
  description:
    'A single attempt with no retry, signed like every delivery (type `ping`, which cannot ' +
    'be subscribed to). Not recorded as a delivery. Works on a disabled endpoint too.',
  request: { params: idParams },
  responses: {
    200: jsonResponse('What the attempt came to', webhookPingResultSchema),
    ...problemResponses,
  },
});

export function webhookEndpointRoutes(deps: { readonly webhookEndpoints: WebhookEndpointService }) {
  const { webhookEndpoints } = deps;
  return createRouter()
    .openapi(createEndpoint, async (c) => {
      const endpoint = await webhookEndpoints.createEndpoint(c.get('user').id, c.req.valid('json'));
      c.header('location', `/api/webhook-endpoints/${endpoint.id}`);
      c.header('cache-control', 'no-store');
      return c.json(presentWebhookEndpointWithSecret(endpoint), 201);
    })
    .openapi(listEndpoints, async (c) => {
      const page = await webhookEndpoints.listEndpoints(
        c.get('user').id,
        toPageRequest(c.req.valid('query')),
      );
      return c.json(
        { data: page.data.map(presentWebhookEndpoint), pagination: page.pagination },
        200,
      );
    })
    .openapi(getEndpoint, async (c) => {
      const endpoint = await webhookEndpoints.getEndpoint(
        c.get('user').id,
        c.req.valid('param').id,
      );
      return c.json(presentWebhookEndpoint(endpoint), 200);
    })
    .openapi(updateEndpoint, async (c) => {
      const endpoint = await webhookEndpoints.updateEndpoint(
        c.get('user').id,
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      return c.json(presentWebhookEndpoint(endpoint), 200);
    })
    .openapi(deleteEndpoint, async (c) => {
      await webhookEndpoints.deleteEndpoint(c.get('user').id, c.req.valid('param').id);
      return c.body(null, 204);
    })
    .openapi(rotateSecret, async (c) => {
      const endpoint = await webhookEndpoints.rotateSecret(
        c.get('user').id,
        c.req.valid('param').id,
      );
      c.header('cache-control', 'no-store');
      return c.json(presentWebhookEndpointWithSecret(endpoint), 200);
    })
    .openapi(listDeliveries, async (c) => {
      const page = await webhookEndpoints.listDeliveries(
        c.get('user').id,
        c.req.valid('param').id,
        toPageRequest(c.req.valid('query')),
      );
      return c.json(
        { data: page.data.map(presentWebhookDelivery), pagination: page.pagination },
        200,
      );
    })
    .openapi(redeliver, async (c) => {
      const { id, deliveryId } = c.req.valid('param');
      const delivery = await webhookEndpoints.redeliver(c.get('user').id, id, deliveryId);
      return c.json(presentWebhookDelivery(delivery), 202);
    })
    .openapi(testEndpoint, async (c) => {
      const result = await webhookEndpoints.sendTestPing(c.get('user').id, c.req.valid('param').id);
      c.header('cache-control', 'no-store');
      return c.json(presentWebhookPingResult(result), 200);
    });
}
