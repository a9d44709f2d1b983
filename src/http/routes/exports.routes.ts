import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { createRoute, z } from '@hono/zod-openapi';

import { requestExportInputSchema } from '../../features/exports/export.types.ts';
import type { ExportService } from '../../features/exports/exports.service.ts';
import { createRouter } from '../create-router.ts';
import { jsonResponse, problemResponses, uuidParam } from '../openapi/common-schemas.ts';
import {
  exportSchema,
  pageSizeQuerySchema,
  presentExport,
  presentQueuedExport,
} from '../openapi/export-schemas.ts';

const tags = ['Exports'];
const security = [{ bearerAuth: [] }];
const idParams = z.object({ id: uuidParam });

const queuedResponse = {
  ...jsonResponse('Queued: poll the Location for progress and the link', exportSchema),
  headers: z.object({ location: z.string().openapi({ example: '/api/exports/{exportId}' }) }),
};

const getPortfolioPdf = createRoute({
  method: 'get',
  path: '/portfolios/{id}/export.pdf',
  tags,
  security,
  summary: 'Download the portfolio as a PDF, or queue an export when it is large',
  description:
    'A portfolio whose estimated render fits the 5-second budget is rendered while the request ' +
    'waits and streamed back (nothing is recorded). A larger one answers 202 with an export, ' +
    'exactly as POST /portfolios/{id}/exports does.',
  request: { params: idParams, query: pageSizeQuerySchema },
  responses: {
    200: {
      description: 'The PDF, as an attachment named after the slug',
      content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    202: queuedResponse,
    ...problemResponses,
  },
});

const requestExport = createRoute({
  method: 'post',
  path: '/portfolios/{id}/exports',
  tags,
  security,
  summary: 'Queue a PDF export of the current version; the link is mailed when it is ready',
  description:
    'While an export of the same version and page size is still QUEUED, RENDERING or ' +
    'UPLOADING, that export is returned instead of a new one, unless it has not moved for ' +
    '15 minutes: it is then FAILED with `export.abandoned` and a new export is queued.',
  request: {
    params: idParams,
    body: {
      required: false,
      content: { 'application/json': { schema: requestExportInputSchema } },
    },
  },
  responses: { 202: queuedResponse, ...problemResponses },
});

const getExport = createRoute({
  method: 'get',
  path: '/exports/{id}',
  tags,
  security,
  summary: 'Status and progress of one of your exports, with a download link once READY',
  description:
    'Each call signs a fresh link that expires when the export does (7 days after it was ' +
    'stored), never later. After that the export stays READY with `expired: true` and no link.',
  request: { params: idParams },
  responses: { 200: jsonResponse('The export', exportSchema), ...problemResponses },
});

const exportLocation = (exportId: string) => `/api/exports/${exportId}`;

export function exportRoutes(deps: { readonly exports: ExportService }) {
  const { exports } = deps;
  return createRouter()
    .openapi(getPortfolioPdf, async (c) => {
      const pdf = await exports.getPortfolioPdf(
        c.get('user').id,
        c.req.valid('param').id,
        c.req.valid('query'),
      );
      if (pdf.kind === 'queued') {
        c.header('location', exportLocation(pdf.export.id));
        return c.json(presentQueuedExport(pdf.export), 202);
      }
      // Destroying the Node stream when the client goes away stops the layout.
      const body = Readable.toWeb(pdf.body) as WebReadableStream<Uint8Array> as ReadableStream;
      return c.body(body, 200, {
        'content-type': 'application/pdf',
        // The slug is lower-case a-z, 0-9 and hyphens: safe inside the quoted filename.
        'content-disposition': `attachment; filename="${pdf.fileName}"`,
        'cache-control': 'private, no-store',
      });
    })
    .openapi(requestExport, async (c) => {
      const outcome = await exports.requestExport(
        c.get('user').id,
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      c.header('location', exportLocation(outcome.export.id));
      return c.json(presentQueuedExport(outcome.export), 202);
    })
    .openapi(getExport, async (c) => {
      const view = await exports.getExport(c.get('user').id, c.req.valid('param').id);
      // The answer may carry a signed link: no cache should keep it.
      c.header('cache-control', 'private, no-store');
      return c.json(presentExport(view), 200);
    });
}
