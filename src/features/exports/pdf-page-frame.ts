import type PDFDocument from 'pdfkit';

import { fitToWidth } from './pdf-line-fitting.ts';
import type { PdfPalette } from './pdf-palette.ts';
import { PDF_TEXT_STYLES, type PdfPen } from './pdf-typography.ts';

export type PdfDocument = typeof PDFDocument;

/** Page margins in points: the body text never enters them; header and footer live there. */
export const PDF_PAGE_MARGINS = { top: 72, bottom: 64, left: 60, right: 60 } as const;

const HEADER_BASELINE_OFFSET = 34;
const FOOTER_BASELINE_OFFSET = 36;

export interface PdfPageFrameOptions {
  readonly palette: PdfPalette;
  readonly pen: PdfPen;
  /** Shown at the top of every page after the title page (the person's name). */
  readonly runningHeader: string;
}

export interface PdfPageFrame {
  /** Pages started so far, the title page included. */
  pageCount(): number;
}

// Decorations are placed with `lineBreak: false`: text without a width bypasses pdfkit's
// line wrapper, the only thing that starts pages, so drawing inside the margins while a
// page is being started cannot start another one.
function drawPageMark(doc: PdfDocument, options: PdfPageFrameOptions, pageNumber: number): void {
  const { page } = doc;
  const { palette, pen } = options;
  const contentWidth = page.width - page.margins.left - page.margins.right;
  pen.useForDecoration(PDF_TEXT_STYLES.pageMark, palette.muted);
  const label = `Page ${String(pageNumber)}`;
  const footerY = page.height - FOOTER_BASELINE_OFFSET;
  doc.text(label, (page.width - doc.widthOfString(label)) / 2, footerY, { lineBreak: false });
  if (pageNumber === 1) {
    return;
  }
  const header = fitToWidth(doc, options.runningHeader, contentWidth);
  doc.text(header, page.margins.left, HEADER_BASELINE_OFFSET - 8, { lineBreak: false });
  doc.rect(page.margins.left, HEADER_BASELINE_OFFSET + 6, contentWidth, 0.75).fill(palette.accent);
}

/**
 * Paints every page as it starts: the template background, the running header and the
 * "Page N" footer. Drawing on `pageAdded` numbers pages without `bufferPages`, which would
 * keep every finished page in memory until the end. Install before the first page.
 */
export function installPageFrame(doc: PdfDocument, options: PdfPageFrameOptions): PdfPageFrame {
  let pages = 0;
  doc.on('pageAdded', () => {
    pages += 1;
    const { page } = doc;
    const { x, y } = doc;
    doc.rect(0, 0, page.width, page.height).fill(options.palette.background);
    drawPageMark(doc, options, pages);
    options.pen.restore();
    doc.x = x;
    doc.y = y;
  });
  return { pageCount: () => pages };
}
