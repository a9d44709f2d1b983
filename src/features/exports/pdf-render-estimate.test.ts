import { describe, expect, it } from 'vitest';

import { createSamplePortfolio } from '../../../test/support/pdf-sample-portfolio.ts';
import { type PortfolioContent, portfolioContentSchema } from '../portfolios/portfolio-content.ts';
import {
  estimatePdfRenderMs,
  IN_REQUEST_BUDGET_MS,
  measurePortfolioWork,
  shouldRenderInRequest,
} from './pdf-render-estimate.ts';
import { renderPortfolioPdf } from './pdf-renderer.ts';

const PALETTE = { background: '#ffffff', text: '#111111', muted: '#555555', accent: '#b3261e' };

/**
 * CPU time of one render with a reader that keeps up, as in a request. CPU time rather than
 * wall time: the render is CPU-bound, and on a busy machine (CI, two cores shared with other
 * test files) wall time measures the scheduler, not the work the estimate models.
 */
async function measureRenderMs(content: PortfolioContent): Promise<number> {
  const startedAt = process.cpuUsage();
  const stream = renderPortfolioPdf({ title: 'Timing', content, palette: PALETTE, format: 'A4' });
  for await (const chunk of stream) {
    expect((chunk as Buffer).length).toBeGreaterThan(0);
  }
  const used = process.cpuUsage(startedAt);
  return (used.user + used.system) / 1000;
}

async function medianRenderMs(content: PortfolioContent): Promise<number> {
  const runs = [await measureRenderMs(content), await measureRenderMs(content)];
  runs.push(await measureRenderMs(content));
  return runs.sort((a, b) => a - b)[1]!;
}

/** Within the content schema's limits, but 1,500 items carrying 20 tag chips each. */
function createTagHeavyPortfolio(): PortfolioContent {
  return portfolioContentSchema.parse({
    profile: { name: 'Tag Heavy' },
    sections: Array.from({ length: 30 }, (_, section) => ({
      kind: 'skills',
      title: `Skills ${String(section)}`,
      items: Array.from({ length: 50 }, (_, item) => ({
        title: `Group ${String(item)}`,
        tags: Array.from({ length: 20 }, (_, tag) => `t${String(tag)}`),
      })),
    })),
  });
}

describe(estimatePdfRenderMs.name, () => {
  it('grows with the text, the items and the tags of a portfolio', () => {
    const small = createSamplePortfolio({ sections: 1, itemsPerSection: 2 });
    const longer = createSamplePortfolio({
      sections: 1,
      itemsPerSection: 2,
      descriptionCharacters: 4000,
    });
    const moreItems = createSamplePortfolio({ sections: 1, itemsPerSection: 20 });
    const moreTags = createSamplePortfolio({ sections: 1, itemsPerSection: 2, tagsPerItem: 20 });

    const estimate = estimatePdfRenderMs(small);

    expect(estimatePdfRenderMs(longer)).toBeGreaterThan(estimate);
    expect(estimatePdfRenderMs(moreItems)).toBeGreaterThan(estimate);
    expect(estimatePdfRenderMs(moreTags)).toBeGreaterThan(estimate);
  });

  it('counts every character a portfolio lays out', () => {
    const content = createSamplePortfolio({ sections: 2, itemsPerSection: 3, tagsPerItem: 4 });

    const work = measurePortfolioWork(content);

    expect(work).toMatchObject({ sections: 2, items: 6, tags: 24 });
    const profileText = Object.values(content.profile).join('');
    expect(work.characters).toBeGreaterThan(profileText.length + 6 * 400);
    expect(work.characters).toBeLessThan(JSON.stringify(content).length);
  });

  it('stays above the measured render CPU time from small to large portfolios', async () => {
    const sizes = [
      createSamplePortfolio({ sections: 1, itemsPerSection: 1, descriptionCharacters: 100 }),
      createSamplePortfolio({ sections: 5, itemsPerSection: 10, descriptionCharacters: 800 }),
      createSamplePortfolio({ sections: 6, itemsPerSection: 50, descriptionCharacters: 600 }),
    ];
    await measureRenderMs(sizes[0]!);

    for (const content of sizes) {
      expect(estimatePdfRenderMs(content)).toBeGreaterThan(await medianRenderMs(content));
    }
  }, 9000);
});

describe(shouldRenderInRequest.name, () => {
  it('renders an ordinary portfolio in the request', () => {
    expect(IN_REQUEST_BUDGET_MS).toBe(5000);
    expect(shouldRenderInRequest(createSamplePortfolio())).toBe(true);
  });

  it('sends a portfolio estimated over the budget to a background job', () => {
    const content = createTagHeavyPortfolio();

    expect(estimatePdfRenderMs(content)).toBeGreaterThanOrEqual(IN_REQUEST_BUDGET_MS);
    expect(shouldRenderInRequest(content)).toBe(false);
  });
});
