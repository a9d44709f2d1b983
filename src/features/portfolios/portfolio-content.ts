import { z } from 'zod';

/** Largest accepted content document, measured as UTF-8 JSON. */
export const MAX_CONTENT_BYTES = 256 * 1024;

// Only http(s) links: a `javascript:` or `data:` URL in a rendered site or PDF would run or
// smuggle content, so every URL field goes through this one rule.
const webUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain })
  .max(2048)
  .describe('An absolute http(s) URL');

const shortText = (max: number) => z.string().trim().max(max);

export const portfolioProfileSchema = z.object({
  name: shortText(120).min(1),
  headline: shortText(200).optional(),
  bio: shortText(5000).optional(),
  location: shortText(120).optional(),
  email: z.email().max(254).optional(),
  website: webUrl.optional(),
  avatarUrl: webUrl.optional(),
});

export const portfolioLinkSchema = z.object({
  label: shortText(60).min(1),
  url: webUrl,
});

export const portfolioItemSchema = z.object({
  title: shortText(200).min(1),
  subtitle: shortText(200).optional(),
  period: shortText(60).optional(),
  description: shortText(5000).optional(),
  url: webUrl.optional(),
  imageUrl: webUrl.optional(),
  tags: z.array(shortText(40).min(1)).max(20).optional(),
});

export const SECTION_KINDS = [
  'about',
  'experience',
  'projects',
  'skills',
  'education',
  'custom',
] as const;

export const portfolioSectionSchema = z.object({
  kind: z.enum(SECTION_KINDS),
  title: shortText(120).min(1),
  body: shortText(10_000).optional(),
  items: z.array(portfolioItemSchema).max(50).default([]),
});

export const portfolioContentSchema = z
  .object({
    profile: portfolioProfileSchema,
    links: z.array(portfolioLinkSchema).max(20).default([]),
    sections: z.array(portfolioSectionSchema).max(30).default([]),
  })
  .refine((content) => Buffer.byteLength(JSON.stringify(content), 'utf8') <= MAX_CONTENT_BYTES, {
    message: `content must be at most ${String(MAX_CONTENT_BYTES)} bytes as JSON`,
  });

export type PortfolioContent = z.infer<typeof portfolioContentSchema>;
export type PortfolioContentInput = z.input<typeof portfolioContentSchema>;
