import type { Kysely } from 'kysely';

import type {
  Database,
  NewTemplateRow,
  TemplateCategory,
  TemplatePaletteColumn,
  TemplateRow,
} from '../../db/database-types.ts';
import type { PageQuery } from '../../db/query/paginate.ts';

type Db = Kysely<Database>;

export interface TemplateSummary {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly category: TemplateCategory;
  readonly description: string;
  readonly thumbnailUrl: string;
  readonly palette: TemplatePaletteColumn;
}

export interface Template extends TemplateSummary {
  readonly source: string;
  readonly css: string;
  readonly isActive: boolean;
}

const SUMMARY_COLUMNS = [
  'id',
  'slug',
  'name',
  'category',
  'description',
  'thumbnail_url',
  'palette',
] as const;
const DETAIL_COLUMNS = [...SUMMARY_COLUMNS, 'source', 'css', 'is_active'] as const;

type SummaryRow = Pick<TemplateRow, (typeof SUMMARY_COLUMNS)[number]>;

function toSummary(row: SummaryRow): TemplateSummary {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    category: row.category,
    description: row.description,
    thumbnailUrl: row.thumbnail_url,
    palette: row.palette,
  };
}

export interface TemplateFilter {
  readonly category: TemplateCategory | undefined;
}

export async function listActiveTemplates(
  db: Db,
  filter: TemplateFilter,
  query: PageQuery<string>,
): Promise<TemplateSummary[]> {
  let builder = db.selectFrom('templates').select(SUMMARY_COLUMNS).where('is_active', '=', true);
  if (filter.category !== undefined) {
    builder = builder.where('category', '=', filter.category);
  }
  if (query.after !== undefined) {
    builder = builder.where('slug', '>', query.after);
  }
  const rows = await builder.orderBy('slug').limit(query.limit).offset(query.offset).execute();
  return rows.map(toSummary);
}

export async function countActiveTemplates(db: Db, filter: TemplateFilter): Promise<number> {
  let builder = db
    .selectFrom('templates')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('is_active', '=', true);
  if (filter.category !== undefined) {
    builder = builder.where('category', '=', filter.category);
  }
  const { total } = await builder.executeTakeFirstOrThrow();
  return Number(total);
}

/** Finds a template by id or slug, active or not (old portfolios may use a retired one). */
export async function findTemplate(db: Db, idOrSlug: string): Promise<Template | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrSlug);
  const row = await db
    .selectFrom('templates')
    .select(DETAIL_COLUMNS)
    .where(isUuid ? 'id' : 'slug', '=', idOrSlug)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { ...toSummary(row), source: row.source, css: row.css, isActive: row.is_active };
}

/** Inserts templates that are missing by slug; existing ones are left as they are. */
export async function insertMissingTemplates(
  db: Db,
  templates: readonly NewTemplateRow[],
): Promise<number> {
  if (templates.length === 0) {
    return 0;
  }
  const inserted = await db
    .insertInto('templates')
    .values([...templates])
    .onConflict((conflict) => conflict.column('slug').doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}
