import { z } from '@hono/zod-openapi';

import {
  type Portfolio,
  PORTFOLIO_VISIBILITIES,
  type PortfolioSummary,
  type PortfolioVersion,
  type PortfolioVersionSummary,
} from '../../features/portfolios/portfolio.types.ts';
import {
  type PortfolioContent,
  portfolioContentSchema,
} from '../../features/portfolios/portfolio-content.ts';

const timestamp = z.iso.datetime();

export const portfolioSummarySchema = z
  .object({
    id: z.uuid(),
    templateId: z.uuid(),
    title: z.string(),
    slug: z.string(),
    subdomain: z.string().nullable(),
    visibility: z.enum(PORTFOLIO_VISIBILITIES),
    isPublished: z.boolean(),
    publishedAt: timestamp.nullable(),
    version: z.int(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('PortfolioSummary');

export const portfolioSchema = portfolioSummarySchema
  .extend({ content: portfolioContentSchema })
  .openapi('Portfolio');

export const versionSummarySchema = z
  .object({
    version: z.int(),
    title: z.string(),
    templateId: z.uuid(),
    authorId: z.string().nullable(),
    createdAt: timestamp,
    archivedAt: timestamp.nullable(),
  })
  .openapi('PortfolioVersionSummary');

export const versionSchema = versionSummarySchema
  .extend({ content: portfolioContentSchema })
  .openapi('PortfolioVersion');

export function presentPortfolioSummary(portfolio: PortfolioSummary) {
  return {
    id: portfolio.id,
    templateId: portfolio.templateId,
    title: portfolio.title,
    slug: portfolio.slug,
    subdomain: portfolio.subdomain,
    visibility: portfolio.visibility,
    isPublished: portfolio.isPublished,
    publishedAt: portfolio.publishedAt?.toISOString() ?? null,
    version: portfolio.version,
    createdAt: portfolio.createdAt.toISOString(),
    updatedAt: portfolio.updatedAt.toISOString(),
  };
}

// Content was validated by portfolioContentSchema before it was stored.
const storedContent = (content: unknown) => content as PortfolioContent;

export function presentPortfolio(portfolio: Portfolio) {
  return { ...presentPortfolioSummary(portfolio), content: storedContent(portfolio.content) };
}

export function presentVersionSummary(version: PortfolioVersionSummary) {
  return {
    version: version.version,
    title: version.title,
    templateId: version.templateId,
    authorId: version.authorId,
    createdAt: version.createdAt.toISOString(),
    archivedAt: version.archivedAt?.toISOString() ?? null,
  };
}

export function presentVersion(version: PortfolioVersion) {
  return { ...presentVersionSummary(version), content: storedContent(version.content) };
}
