/** The built-in Helvetica family: always available in a PDF reader, nothing to embed. */
export const PDF_FONTS = {
  regular: 'Helvetica',
  bold: 'Helvetica-Bold',
  italic: 'Helvetica-Oblique',
} as const;

export type PdfFontName = (typeof PDF_FONTS)[keyof typeof PDF_FONTS];

export interface PdfTextStyle {
  readonly font: PdfFontName;
  /** Points. */
  readonly size: number;
  /** Extra space between wrapped lines, in points. */
  readonly lineGap: number;
}

/** One type scale for the whole document, so every page reads the same. */
export const PDF_TEXT_STYLES = {
  documentLabel: { font: PDF_FONTS.bold, size: 9, lineGap: 2 },
  name: { font: PDF_FONTS.bold, size: 30, lineGap: 2 },
  headline: { font: PDF_FONTS.regular, size: 15, lineGap: 3 },
  contact: { font: PDF_FONTS.regular, size: 10, lineGap: 3 },
  linkLabel: { font: PDF_FONTS.bold, size: 9.5, lineGap: 2 },
  sectionTitle: { font: PDF_FONTS.bold, size: 15, lineGap: 2 },
  itemTitle: { font: PDF_FONTS.bold, size: 12, lineGap: 1 },
  itemMeta: { font: PDF_FONTS.italic, size: 9.5, lineGap: 1 },
  body: { font: PDF_FONTS.regular, size: 10.5, lineGap: 3 },
  link: { font: PDF_FONTS.regular, size: 9.5, lineGap: 1 },
  tag: { font: PDF_FONTS.regular, size: 8, lineGap: 0 },
  pageMark: { font: PDF_FONTS.regular, size: 8.5, lineGap: 0 },
} as const satisfies Record<string, PdfTextStyle>;

/** The slice of a pdfkit document the pen drives. */
export interface PdfStyleTarget {
  font(name: string): unknown;
  fontSize(size: number): unknown;
  fillColor(colour: string): unknown;
}

/**
 * Remembers the style of the text being laid out, so page decorations drawn in the middle
 * of a wrapped paragraph (pdfkit breaks pages inside `text()`) can put it back afterwards.
 */
export interface PdfPen {
  /** Sets the style of the flowing text and remembers it. */
  use(style: PdfTextStyle, colour: string): void;
  /** Sets a style for a decoration without forgetting the flowing text's one. */
  useForDecoration(style: PdfTextStyle, colour: string): void;
  /** Puts the remembered style back after a decoration. */
  restore(): void;
}

export function createPdfPen(target: PdfStyleTarget): PdfPen {
  let current: { style: PdfTextStyle; colour: string } = {
    style: PDF_TEXT_STYLES.body,
    colour: '#000000',
  };
  const apply = (style: PdfTextStyle, colour: string): void => {
    target.font(style.font);
    target.fontSize(style.size);
    target.fillColor(colour);
  };
  return {
    use(style, colour) {
      current = { style, colour };
      apply(style, colour);
    },
    useForDecoration: apply,
    restore() {
      apply(current.style, current.colour);
    },
  };
}
