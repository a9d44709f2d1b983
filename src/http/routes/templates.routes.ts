import { createRoute, z } from '@hono/zod-openapi';

import { TEMPLATE_CATEGORIES } from '../../db/database-types.ts';
import type { Template, TemplateSummary } from '../../features/templates/templates.repository.ts';
import type { TemplateService } from '../../features/templates/templates.service.ts';
import { createRouter } from '../create-router.ts';
import {
  jsonResponse,
  pageOf,
  paginationQueryFields,
  problemResponses,
  toPageRequest,
  withPaginationRules,
} from '../openapi/common-schemas.ts';

const tags = ['Templates'];
const security = [{ bearerAuth: [] }];

const paletteSchema = z.object({
  background: z.string(),
  text: z.string(),
  muted: z.string(),
  accent: z.string(),
});

const templateSummarySchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    category: z.enum(TEMPLATE_CATEGORIES),
    description: z.string(),
    thumbnailUrl: z.string(),
    palette: paletteSchema,
  })
  .openapi('TemplateSummary');

const templateSchema = templateSummarySchema
  .extend({ source: z.string(), css: z.string() })
  .openapi('Template');

const presentSummary = (template: TemplateSummary) => ({
  id: template.id,
  slug: template.slug,
  name: template.name,
  category: template.category,
  description: template.description,
  thumbnailUrl: template.thumbnailUrl,
  palette: template.palette,
});

const presentTemplate = (template: Template) => ({
  ...presentSummary(template),
  source: template.source,
  css: template.css,
});

const listTemplates = createRoute({
  method: 'get',
  path: '/templates',
  tags,
  security,
  summary: 'List the active templates, by slug',
  request: {
    query: withPaginationRules(
      paginationQueryFields.extend({ category: z.enum(TEMPLATE_CATEGORIES).optional() }),
    ),
  },
  responses: {
    200: jsonResponse('A page of templates', pageOf(templateSummarySchema)),
    ...problemResponses,
  },
});

const getTemplate = createRoute({
  method: 'get',
  path: '/templates/{idOrSlug}',
  tags,
  security,
  summary: 'Get an active template by id or slug, with its source and CSS',
  request: {
    params: z.object({
      idOrSlug: z
        .string()
        .min(1)
        .max(100)
        .openapi({ param: { name: 'idOrSlug', in: 'path' }, example: 'minimal-mono' }),
    }),
  },
  responses: {
    200: jsonResponse('The template', templateSchema),
    ...problemResponses,
  },
});

export function templateRoutes(deps: { readonly templates: TemplateService }) {
  const { templates } = deps;
  return createRouter()
    .openapi(listTemplates, async (c) => {
      const query = c.req.valid('query');
      const page = await templates.listTemplates(
        { category: query.category },
        toPageRequest(query),
      );
      return c.json({ data: page.data.map(presentSummary), pagination: page.pagination }, 200);
    })
    .openapi(getTemplate, async (c) => {
      const template = await templates.getTemplate(c.req.valid('param').idOrSlug);
      return c.json(presentTemplate(template), 200);
    });
}
