import { z } from 'zod';

import { PORTFOLIO_VISIBILITIES, type PortfolioVisibility } from '../../db/database-types.ts';
import { portfolioContentSchema } from './portfolio-content.ts';
import { SLUG_PATTERN } from './slug.ts';

export { PORTFOLIO_VISIBILITIES, type PortfolioVisibility };

export interface PortfolioSummary {
  readonly id: string;
  readonly templateId: string;
  readonly title: string;
  readonly slug: string;
  readonly subdomain: string | null;
  readonly visibility: PortfolioVisibility;
  readonly isPublished: boolean;
  readonly publishedAt: Date | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface Portfolio extends PortfolioSummary {
  readonly content: unknown;
}

export interface PortfolioVersionSummary {
  readonly version: number;
  readonly title: string;
  readonly templateId: string;
  readonly authorId: string | null;
  readonly createdAt: Date;
  readonly archivedAt: Date | null;
}

export interface PortfolioVersion extends PortfolioVersionSummary {
  readonly content: unknown;
}

const titleSchema = z.string().trim().min(1).max(200);
const slugSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(SLUG_PATTERN, 'lower-case words of a-z and 0-9 joined by single hyphens');
// Shape only; the reserved list and length rules are checked by the service so every
// caller (API, jobs) gets the same answer.
const subdomainSchema = z.string().max(255);

export const createPortfolioInputSchema = z.strictObject({
  title: titleSchema,
  templateId: z.uuid(),
  slug: slugSchema.optional(),
  subdomain: subdomainSchema.optional(),
  visibility: z.enum(PORTFOLIO_VISIBILITIES).optional(),
  content: portfolioContentSchema,
});
export type CreatePortfolioInput = z.infer<typeof createPortfolioInputSchema>;

export const updatePortfolioInputSchema = z
  .strictObject({
    title: titleSchema.optional(),
    templateId: z.uuid().optional(),
    slug: slugSchema.optional(),
    subdomain: subdomainSchema.nullable().optional(),
    visibility: z.enum(PORTFOLIO_VISIBILITIES).optional(),
    content: portfolioContentSchema.optional(),
    /** Optimistic concurrency: the update fails with 409 unless this is the current version. */
    expectedVersion: z.int().positive().optional(),
  })
  .refine(
    (input) => Object.keys(input).some((key) => key !== 'expectedVersion'),
    'at least one field to change is required',
  );
export type UpdatePortfolioInput = z.infer<typeof updatePortfolioInputSchema>;
