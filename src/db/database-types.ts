import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

import type { DeploymentsTables } from './tables/deployments-tables.ts';
import type { DnsTables } from './tables/dns-tables.ts';
import type { ExportsTables } from './tables/exports-tables.ts';
import type { OutboxTables } from './tables/outbox-tables.ts';
import type { WebhooksTables } from './tables/webhooks-tables.ts';

/** A timestamptz: read as Date, written as Date or ISO string, filled by a default when omitted. */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

/** jsonb: read as parsed JSON, written as a JSON string (so arrays are never sent as PG arrays). */
export type Json<T> = ColumnType<T, string, string>;

export const PORTFOLIO_VISIBILITIES = ['private', 'unlisted', 'public'] as const;
export type PortfolioVisibility = (typeof PORTFOLIO_VISIBILITIES)[number];

export const TEMPLATE_CATEGORIES = ['minimal', 'professional', 'creative'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

export interface TemplatePaletteColumn {
  readonly background: string;
  readonly text: string;
  readonly muted: string;
  readonly accent: string;
}

export interface UsersTable {
  id: string;
  email: string | null;
  name: string | null;
  analytics_opt_out: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface TemplatesTable {
  id: Generated<string>;
  slug: string;
  name: string;
  category: TemplateCategory;
  description: string;
  thumbnail_url: string;
  source: string;
  css: string;
  palette: Json<TemplatePaletteColumn>;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PortfoliosTable {
  id: Generated<string>;
  owner_id: string;
  template_id: string;
  title: string;
  slug: string;
  subdomain: string | null;
  content: Json<unknown>;
  visibility: Generated<PortfolioVisibility>;
  is_published: Generated<boolean>;
  published_at: NullableTimestamp;
  version: Generated<number>;
  /** The deployment served at the portfolio's hosts; switched atomically on success. */
  live_deployment_id: ColumnType<string | null, string | null | undefined, string | null>;
  deleted_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PortfolioVersionsTable {
  id: Generated<string>;
  portfolio_id: string;
  version: number;
  title: string;
  template_id: string;
  content: Json<unknown>;
  author_id: string | null;
  created_at: CreatedAt;
  archived_at: NullableTimestamp;
}

/** Every table; integrations keep their own table types in `tables/`. */
export interface Database
  extends DeploymentsTables, DnsTables, ExportsTables, OutboxTables, WebhooksTables {
  users: UsersTable;
  templates: TemplatesTable;
  portfolios: PortfoliosTable;
  portfolio_versions: PortfolioVersionsTable;
}

export type UserRow = Selectable<UsersTable>;
export type TemplateRow = Selectable<TemplatesTable>;
export type NewTemplateRow = Insertable<TemplatesTable>;
export type PortfolioRow = Selectable<PortfoliosTable>;
export type PortfolioUpdate = Updateable<PortfoliosTable>;
export type PortfolioVersionRow = Selectable<PortfolioVersionsTable>;
