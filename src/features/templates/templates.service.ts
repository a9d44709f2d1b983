import type { Kysely } from 'kysely';
import { z } from 'zod';

import type { Database, TemplateCategory } from '../../db/database-types.ts';
import type { CursorCodec } from '../../db/query/cursor-codec.ts';
import { type Page, type PageRequest, paginate } from '../../db/query/paginate.ts';
import { NotFoundError } from '../../errors/app-error.ts';
import {
  countActiveTemplates,
  findTemplate,
  listActiveTemplates,
  type Template,
  type TemplateSummary,
} from './templates.repository.ts';

export interface TemplateService {
  listTemplates(
    filter: { readonly category?: TemplateCategory | undefined },
    page: PageRequest,
  ): Promise<Page<TemplateSummary>>;
  getTemplate(idOrSlug: string): Promise<Template>;
}

export function createTemplateService(deps: {
  readonly db: Kysely<Database>;
  readonly cursorCodec: CursorCodec;
}): TemplateService {
  const { db, cursorCodec } = deps;
  return {
    listTemplates(filter, page) {
      const resolved = { category: filter.category };
      return paginate(page, cursorCodec, {
        keySchema: z.string().min(1),
        keyOf: (template) => template.slug,
        fetch: (query) => listActiveTemplates(db, resolved, query),
        count: () => countActiveTemplates(db, resolved),
      });
    },
    async getTemplate(idOrSlug) {
      const template = await findTemplate(db, idOrSlug);
      if (template?.isActive !== true) {
        throw new NotFoundError('template.not_found', 'No such template.');
      }
      return template;
    },
  };
}
