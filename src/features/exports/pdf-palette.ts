import type { TemplatePaletteColumn } from '../../db/database-types.ts';

/** The template colours the PDF uses, all `#rrggbb`, plus the tint derived for tag chips. */
export interface PdfPalette {
  readonly background: string;
  readonly text: string;
  readonly muted: string;
  readonly accent: string;
  /** The accent washed into the background: chip fills that keep the text legible. */
  readonly accentTint: string;
}

/** Used for any palette entry that is not a `#rrggbb` colour (a broken template row). */
export const FALLBACK_PDF_PALETTE: TemplatePaletteColumn = {
  background: '#ffffff',
  text: '#1a1a1a',
  muted: '#555555',
  accent: '#1d4ed8',
};

const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

function toRgb(hex: string): readonly [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb.map((part) => Math.round(part).toString(16).padStart(2, '0')).join('')}`;
}

/** Blends `share` (0..1) of `top` over `bottom`. */
export function mixHexColours(top: string, bottom: string, share: number): string {
  const upper = toRgb(top);
  const lower = toRgb(bottom);
  return toHex(upper.map((part, index) => part * share + (lower[index] ?? 0) * (1 - share)));
}

/**
 * The normalised fill operands pdfkit writes for a `#rrggbb` colour (`r g b scn`), for
 * callers that look for the colour in an uncompressed document.
 */
export function toPdfColourOperands(hex: string): string {
  return toRgb(hex)
    .map((part) => String(part / 255))
    .join(' ');
}

export function resolvePdfPalette(palette: TemplatePaletteColumn): PdfPalette {
  const pick = (key: keyof TemplatePaletteColumn): string =>
    HEX_COLOUR.test(palette[key]) ? palette[key].toLowerCase() : FALLBACK_PDF_PALETTE[key];
  const background = pick('background');
  const accent = pick('accent');
  return {
    background,
    text: pick('text'),
    muted: pick('muted'),
    accent,
    accentTint: mixHexColours(accent, background, 0.12),
  };
}
