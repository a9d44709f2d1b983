import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';

import { createSampleProse } from '../../../test/support/pdf-sample-portfolio.ts';
import { installPageFrame, PDF_PAGE_MARGINS } from './pdf-page-frame.ts';
import { resolvePdfPalette, toPdfColourOperands } from './pdf-palette.ts';
import { createPdfPen, PDF_TEXT_STYLES } from './pdf-typography.ts';

const palette = resolvePdfPalette({
  background: '#f8fafc',
  text: '#0f172a',
  muted: '#475569',
  accent: '#1d4ed8',
});

interface DrawnLine {
  readonly text: string;
  readonly colour: string | undefined;
}

/** Each text line of an uncompressed PDF with the fill colour it was drawn in. */
function readDrawnLines(pdf: Buffer): DrawnLine[] {
  const lines: DrawnLine[] = [];
  let colour: string | undefined;
  for (const operation of pdf.toString('latin1').split('\n')) {
    const fill = /^(.*) scn$/.exec(operation);
    if (fill) {
      colour = fill[1];
    }
    const show = /^\[(.*)\] TJ$/.exec(operation);
    if (show) {
      const hexParts = [...(show[1] ?? '').matchAll(/<([0-9a-f]*)>/g)].map((part) => part[1]);
      const text = hexParts.map((hex) => Buffer.from(hex ?? '', 'hex').toString('latin1')).join('');
      lines.push({ text, colour });
    }
  }
  return lines;
}

async function drawFramedParagraph(): Promise<{ pdf: Buffer; pages: number }> {
  const doc = new PDFDocument({ autoFirstPage: false, compress: false, margins: PDF_PAGE_MARGINS });
  const parts: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => parts.push(chunk));
  const ended = new Promise((resolve) => doc.on('end', resolve));
  const pen = createPdfPen(doc);
  const frame = installPageFrame(doc, { palette, pen, runningHeader: 'Grace Hopper' });
  doc.addPage();
  pen.use(PDF_TEXT_STYLES.body, palette.text);
  doc.text(createSampleProse(12_000), { width: 400 });
  doc.end();
  await ended;
  return { pdf: Buffer.concat(parts), pages: frame.pageCount() };
}

describe(installPageFrame.name, () => {
  it('numbers every page and heads all but the first with the running header', async () => {
    const { pdf, pages } = await drawFramedParagraph();

    const lines = readDrawnLines(pdf).map((line) => line.text);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(lines.filter((line) => line.startsWith('Page '))).toEqual(
      Array.from({ length: pages }, (_, index) => `Page ${String(index + 1)}`),
    );
    expect(lines.filter((line) => line === 'Grace Hopper')).toHaveLength(pages - 1);
  });

  it('draws decorations in the muted colour and resumes the paragraph in its own colour', async () => {
    const { pdf } = await drawFramedParagraph();

    const muted = toPdfColourOperands(palette.muted);
    const text = toPdfColourOperands(palette.text);
    for (const line of readDrawnLines(pdf)) {
      const isDecoration = line.text.startsWith('Page ') || line.text === 'Grace Hopper';
      expect(line.colour).toBe(isDecoration ? muted : text);
    }
  });

  it('paints the template background on every page', async () => {
    const { pdf, pages } = await drawFramedParagraph();

    const background = `${toPdfColourOperands(palette.background)} scn`;
    expect(pdf.toString('latin1').split(background).length - 1).toBe(pages);
  });
});
