import { z } from 'zod';

import { hasUserinfo, stripUserinfo } from '../../lib/web-url.ts';

/** Largest accepted content document, measured as UTF-8 JSON. */
export const MAX_CONTENT_BYTES = 256 * 1024;

// Only http(s) links: a `javascript:` or `data:` URL in a rendered site or PDF would run or
// smuggle content, so every URL field goes through this one rule. New input refuses
// credentials in a URL (R-SEC-4); content stored before that rule is read with them removed.
const webUrlBase = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain })
  .max(2048)
  .describe('An absolute http(s) URL without credentials');
const newWebUrl = webUrlBase.refine((url) => !hasUserinfo(url), {
  message: 'must not contain credentials (user:password@)',
});
const storedWebUrl = webUrlBase.transform(stripUserinfo);

const shortText = (max: number) => z.string().trim().max(max);

function createContentSchema(webUrl: typeof newWebUrl | typeof storedWebUrl) {
  const profile = z.object({
    name: shortText(120).min(1),
    headline: shortText(200).optional(),
    bio: shortText(5000).optional(),
    location: shortText(120).optional(),
    email: z.email().max(254).optional(),
    website: webUrl.optional(),
    avatarUrl: webUrl.optional(),
  });
  const link = z.object({
    label: shortText(60).min(1),
    url: webUrl,
  });
  const item = z.object({
    title: shortText(200).min(1),
    subtitle: shortText(200).optional(),
    period: shortText(60).optional(),
    description: shortText(5000).optional(),
    url: webUrl.optional(),
    imageUrl: webUrl.optional(),
    tags: z.array(shortText(40).min(1)).max(20).optional(),
  });
  const section = z.object({
    kind: z.enum(SECTION_KINDS),
    title: shortText(120).min(1),
    body: shortText(10_000).optional(),
    items: z.array(item).max(50).default([]),
  });
  return z
    .object({
      profile,
      links: z.array(link).max(20).default([]),
      sections: z.array(section).max(30).default([]),
    })
    .refine((content) => Buffer.byteLength(JSON.stringify(content), 'utf8') <= MAX_CONTENT_BYTES, {
      message: `content must be at most ${String(MAX_CONTENT_BYTES)} bytes as JSON`,
    });
}

export const SECTION_KINDS = [
  'about',
  'experience',
  'projects',
  'skills',
  'education',
  'custom',
] as const;

/** Content as a request may send it. */
export const portfolioContentSchema = createContentSchema(newWebUrl);

/** Content read back for rendering: the same rules, with credentials removed from old links. */
export const storedPortfolioContentSchema = createContentSchema(storedWebUrl);

export type PortfolioContent = z.infer<typeof portfolioContentSchema>;
export type PortfolioContentInput = z.input<typeof portfolioContentSchema>;
