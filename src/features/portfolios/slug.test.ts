import { describe, expect, it } from 'vitest';

import { SLUG_PATTERN, slugify } from './slug.ts';

describe(slugify.name, () => {
  it.each([
    ['Jane Doe — Portfolio', 'jane-doe-portfolio'],
    ['Café Déjà Vu!', 'cafe-deja-vu'],
    ['  --Hello__World--  ', 'hello-world'],
    ['日本語', 'portfolio'],
  ])('turns %j into %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  it('keeps slugs at 80 characters without a trailing hyphen', () => {
    const slug = slugify(`${'a'.repeat(79)} b`);

    expect(slug.length).toBeLessThanOrEqual(80);
    expect(slug).toMatch(SLUG_PATTERN);
  });
});
