import { describe, expect, it } from 'vitest';

import {
  FALLBACK_PDF_PALETTE,
  mixHexColours,
  resolvePdfPalette,
  toPdfColourOperands,
} from './pdf-palette.ts';

describe(resolvePdfPalette.name, () => {
  it('keeps valid template colours and derives the accent tint', () => {
    const palette = resolvePdfPalette({
      background: '#FFFFFF',
      text: '#111111',
      muted: '#555555',
      accent: '#0000ff',
    });

    expect(palette).toEqual({
      background: '#ffffff',
      text: '#111111',
      muted: '#555555',
      accent: '#0000ff',
      accentTint: '#e0e0ff',
    });
  });

  it('falls back per entry when a colour is not #rrggbb', () => {
    const palette = resolvePdfPalette({
      background: 'red',
      text: '#12345',
      muted: '#555555',
      accent: 'url(javascript:x)',
    });

    expect(palette.background).toBe(FALLBACK_PDF_PALETTE.background);
    expect(palette.text).toBe(FALLBACK_PDF_PALETTE.text);
    expect(palette.muted).toBe('#555555');
    expect(palette.accent).toBe(FALLBACK_PDF_PALETTE.accent);
  });
});

describe(mixHexColours.name, () => {
  it('blends the given share of the top colour over the bottom one', () => {
    expect(mixHexColours('#000000', '#ffffff', 0.5)).toBe('#808080');
    expect(mixHexColours('#c2410c', '#fff7ed', 0)).toBe('#fff7ed');
    expect(mixHexColours('#c2410c', '#fff7ed', 1)).toBe('#c2410c');
  });
});

describe(toPdfColourOperands.name, () => {
  it('writes the channels as pdfkit does, divided by 255', () => {
    expect(toPdfColourOperands('#ff0033')).toBe(`1 0 ${String(0x33 / 255)}`);
  });
});
