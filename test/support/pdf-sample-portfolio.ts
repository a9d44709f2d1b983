import type { PortfolioContent } from '../../src/features/portfolios/portfolio-content.ts';

export interface SamplePortfolioOptions {
  /** @defaultValue 3 */
  readonly sections?: number;
  /** @defaultValue 4 */
  readonly itemsPerSection?: number;
  /** Characters of each item description. @defaultValue 400 */
  readonly descriptionCharacters?: number;
  /** @defaultValue 3 */
  readonly tagsPerItem?: number;
}

const SENTENCE =
  'Led the redesign of a customer portal, cut page weight by half and shipped weekly with a ' +
  'small team while mentoring two junior engineers on testing and accessibility. ';

/** Prose of exactly `length` characters, with a paragraph break every few sentences. */
export function createSampleProse(length: number): string {
  let text = '';
  let sentences = 0;
  while (text.length < length) {
    sentences += 1;
    text += sentences % 4 === 0 ? `${SENTENCE.trimEnd()}\n` : SENTENCE;
  }
  return text.slice(0, length).trimEnd();
}

/**
 * A synthetic but realistic portfolio for PDF tests and render-time calibration: every
 * field filled, sizes chosen by the caller (it may exceed the content schema's limits on
 * purpose, to measure large documents).
 */
export function createSamplePortfolio(options: SamplePortfolioOptions = {}): PortfolioContent {
  const sections = options.sections ?? 3;
  const itemsPerSection = options.itemsPerSection ?? 4;
  const descriptionCharacters = options.descriptionCharacters ?? 400;
  const tagsPerItem = options.tagsPerItem ?? 3;
  return {
    profile: {
      name: 'Ada Lovelace',
      headline: 'Staff engineer - analytical engines and developer tooling',
      bio: createSampleProse(900),
      location: 'London, United Kingdom',
      email: 'ada@example.com',
      website: 'https://ada.example.com',
    },
    links: [
      { label: 'GitHub', url: 'https://github.com/ada-example' },
      { label: 'Writing', url: 'https://ada.example.com/notes/on-the-analytical-engine' },
    ],
    sections: Array.from({ length: sections }, (_, sectionIndex) => ({
      kind: sectionIndex === 0 ? ('experience' as const) : ('projects' as const),
      title: `Section ${String(sectionIndex + 1)}: ${sectionIndex === 0 ? 'Experience' : 'Projects'}`,
      body: createSampleProse(240),
      items: Array.from({ length: itemsPerSection }, (_, itemIndex) => ({
        title: `Item ${String(sectionIndex + 1)}.${String(itemIndex + 1)} - Portal redesign`,
        subtitle: 'Example Corp',
        period: '2021 - 2024',
        description: createSampleProse(descriptionCharacters),
        url: `https://ada.example.com/work/${String(sectionIndex)}-${String(itemIndex)}`,
        tags: Array.from({ length: tagsPerItem }, (_, tagIndex) => `skill-${String(tagIndex + 1)}`),
      })),
    })),
  };
}
