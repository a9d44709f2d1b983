import type { PortfolioContent } from '../portfolios/portfolio-content.ts';

/** A PDF whose estimated render time is below this is answered in the request (R-JOB-6). */
export const IN_REQUEST_BUDGET_MS = 5000;

/** The size of a portfolio as the renderer experiences it. */
export interface PortfolioRenderWork {
  readonly characters: number;
  readonly sections: number;
  readonly items: number;
  readonly tags: number;
}

export function measurePortfolioWork(content: PortfolioContent): PortfolioRenderWork {
  const count = (...parts: readonly (string | undefined)[]): number =>
    parts.reduce((sum, part) => sum + (part?.length ?? 0), 0);
  const { profile } = content;
  let characters = count(
    profile.name,
    profile.headline,
    profile.bio,
    profile.location,
    profile.email,
    profile.website,
  );
  characters += content.links.reduce((sum, link) => sum + count(link.label, link.url), 0);
  let items = 0;
  let tags = 0;
  for (const section of content.sections) {
    characters += count(section.title, section.body);
    for (const item of section.items) {
      items += 1;
      tags += item.tags?.length ?? 0;
      characters += count(item.title, item.subtitle, item.period, item.description, item.url);
      characters += count(...(item.tags ?? []));
    }
  }
  return { characters, sections: content.sections.length, items, tags };
}

// Upper envelope of renders timed on the development machine (2 vCPUs shared with other
// builds, load 2-3), reader keeping up: ~1 ms per 1,000 characters, ~0.05 ms per tag chip,
// up to 0.2 ms per item and ~50 ms for a process's first render. The factor leaves room
// for a host three times slower or busier before an in-request render could overrun.
const BASE_MS = 50;
const PER_THOUSAND_CHARACTERS_MS = 1;
const PER_SECTION_MS = 0.5;
const PER_ITEM_MS = 0.2;
const PER_TAG_MS = 0.05;
const SAFETY_FACTOR = 3;

/**
 * A conservative guess of the milliseconds the renderer needs for this content with a reader
 * that keeps up (the in-request case); it grows with text length, sections, items and tags.
 */
export function estimatePdfRenderMs(content: PortfolioContent): number {
  const work = measurePortfolioWork(content);
  const expectedMs =
    BASE_MS +
    (work.characters / 1000) * PER_THOUSAND_CHARACTERS_MS +
    work.sections * PER_SECTION_MS +
    work.items * PER_ITEM_MS +
    work.tags * PER_TAG_MS;
  return Math.ceil(expectedMs * SAFETY_FACTOR);
}

/** True when the PDF can be rendered while the request waits; otherwise queue an export. */
export function shouldRenderInRequest(content: PortfolioContent): boolean {
  return estimatePdfRenderMs(content) < IN_REQUEST_BUDGET_MS;
}
