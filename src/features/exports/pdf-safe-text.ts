/** Drawn in place of a character the built-in fonts have no glyph for. */
export const PDF_REPLACEMENT_CHARACTER = '?';

// The standard 14 fonts are drawn through WinAnsiEncoding: Latin-1 plus these typographic
// characters. pdfkit hex-encodes anything else as a code point wider than one byte, which
// corrupts the text operator instead of failing, so nothing outside this set may reach it.
const WIN_ANSI_EXTRAS = new Set('ŒœŠšŸŽžƒˆ˜–—‘’‚“”„†‡•…‰‹›€™');

// Characters that only shape their neighbours (joiners, variation selectors, skin tones,
// tag characters): dropped, so an emoji sequence becomes one replacement instead of several.
// Soft hyphens go too: pdfkit would draw them as hyphens in the middle of a line.
const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0xad, 0xad],
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0x1f3fb, 0x1f3ff],
  [0xe0000, 0xe007f],
  [0xe0100, 0xe01ef],
];

function isInvisible(code: number): boolean {
  return INVISIBLE_RANGES.some(([first, last]) => code >= first && code <= last);
}

const LOOKALIKES: Readonly<Record<string, string>> = {
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2015': '—',
  '\u2032': "'",
  '\u2033': '"',
  '\u2212': '-',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  ı: 'i',
  Ħ: 'H',
  ħ: 'h',
};

const COMBINING_MARKS = /[\u0300-\u036f]/g;

function isDrawable(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  return (
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xff) ||
    WIN_ANSI_EXTRAS.has(character)
  );
}

function isWideSpace(code: number): boolean {
  return (
    (code >= 0x2000 && code <= 0x200a) || code === 0x202f || code === 0x205f || code === 0x3000
  );
}

function toDrawable(character: string): string {
  if (isDrawable(character)) {
    return character;
  }
  const code = character.codePointAt(0) ?? 0;
  if (isWideSpace(code)) {
    return ' ';
  }
  const lookalike = LOOKALIKES[character];
  if (lookalike !== undefined) {
    return lookalike;
  }
  // Compatibility decomposition turns "ő" into "o" + accent and "ﬁ" into "fi"; keep the
  // result only when every remaining character can be drawn.
  const decomposed = character.normalize('NFKD').replace(COMBINING_MARKS, '');
  if (decomposed.length === 0) {
    return PDF_REPLACEMENT_CHARACTER;
  }
  for (const part of decomposed) {
    if (!isDrawable(part)) {
      return PDF_REPLACEMENT_CHARACTER;
    }
  }
  return decomposed;
}

export interface PdfSafeTextOptions {
  /** Keep line breaks (descriptions, bios); otherwise they become spaces. @defaultValue false */
  readonly multiline?: boolean;
}

/**
 * Rewrites user text into characters Helvetica can draw: control characters go, line endings
 * are normalised, unsupported letters lose their accents or become `?`.
 *
 * @example toPdfSafeText('Zoë 🚀 東京') // 'Zoë ? ??'
 */
export function toPdfSafeText(text: string, options: PdfSafeTextOptions = {}): string {
  const lineBreak = options.multiline === true ? '\n' : ' ';
  const cleaned = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ');
  let result = '';
  for (const character of cleaned) {
    if (character === '\n') {
      result += lineBreak;
      continue;
    }
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || isInvisible(code)) {
      continue;
    }
    result += toDrawable(character);
  }
  return result;
}
