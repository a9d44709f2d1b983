import type { TemplateCategory, TemplatePaletteColumn } from '../../db/database-types.ts';
import { creativeSunrise } from './seed-templates/creative-sunrise.ts';
import { minimalMono } from './seed-templates/minimal-mono.ts';
import { professionalSlate } from './seed-templates/professional-slate.ts';

/** Colours a template is built around, reused by the PDF export (`#rrggbb` each). */
export type TemplatePalette = TemplatePaletteColumn;

/**
 * A built-in portfolio site template, seeded into the database.
 *
 * `source` is a Handlebars 4 template for a complete `index.html`, rendered with the context
 * `{ title, content: PortfolioContent, siteUrl, generatedAt }`. It uses only escaping `{{ }}`
 * expressions and the built-in helpers (no custom helpers are registered), and links
 * `styles.css`, which the site build writes from `css` next to `index.html`. Templates load
 * nothing from the network: no scripts, web fonts or CDNs.
 */
export interface SeedTemplate {
  readonly slug: string;
  readonly name: string;
  readonly category: TemplateCategory;
  readonly description: string;
  /** A `data:image/svg+xml,` URL: a 320x200 sketch of the layout. */
  readonly thumbnailUrl: string;
  readonly source: string;
  readonly css: string;
  readonly palette: TemplatePalette;
}

export const SEED_TEMPLATES: readonly SeedTemplate[] = [
  minimalMono,
  professionalSlate,
  creativeSunrise,
];
