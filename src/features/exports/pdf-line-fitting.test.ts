import { describe, expect, it } from 'vitest';

import { breakOverlongWords, fitToWidth, type TextMeasure } from './pdf-line-fitting.ts';

/** Every character is one point wide: widths equal lengths. */
const monospace: TextMeasure = { widthOfString: (text) => text.length };

describe(fitToWidth.name, () => {
  it('returns text that fits unchanged', () => {
    expect(fitToWidth(monospace, 'short', 10)).toBe('short');
  });

  it('cuts the longest prefix that fits with an ellipsis', () => {
    const fitted = fitToWidth(monospace, 'a'.repeat(500), 40);

    expect(fitted).toBe(`${'a'.repeat(37)}...`);
  });

  it('returns nothing when not even the ellipsis fits', () => {
    expect(fitToWidth(monospace, 'abcdef', 2)).toBe('');
  });
});

describe(breakOverlongWords.name, () => {
  it('leaves words that fit and short words alone', () => {
    const text = `tiny words and ${'b'.repeat(30)}`;

    expect(breakOverlongWords(monospace, text, 100)).toBe(text);
  });

  it('splits a word wider than the line into pieces that each fit', () => {
    const word = 'x'.repeat(1000);

    const pieces = breakOverlongWords(monospace, `before ${word} after`, 100).split('\n');

    expect(pieces.length).toBeGreaterThan(9);
    expect(pieces.join('')).toBe(`before ${word} after`);
    for (const piece of pieces.slice(1, -1)) {
      expect(piece.length).toBeLessThanOrEqual(97);
    }
  });

  it('measures each distinct character once, not the remainder per line', () => {
    let measured = 0;
    const counting: TextMeasure = {
      widthOfString: (text) => {
        measured += text.length;
        return text.length;
      },
    };

    breakOverlongWords(counting, 'y'.repeat(100_000), 100);

    expect(measured).toBeLessThan(10);
  });
});
