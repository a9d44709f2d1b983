import type { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';

import { createSamplePortfolio } from '../../../test/support/pdf-sample-portfolio.ts';
import type { TemplatePaletteColumn } from '../../db/database-types.ts';
import type { PortfolioContent } from '../portfolios/portfolio-content.ts';
import { toPdfColourOperands } from './pdf-palette.ts';
import {
  PDF_STREAM_HIGH_WATER_MARK_BYTES,
  renderPortfolioPdf,
  type RenderPortfolioPdfOptions,
} from './pdf-renderer.ts';

const PALETTE: TemplatePaletteColumn = {
  background: '#fff7ed',
  text: '#1c1917',
  muted: '#57534e',
  accent: '#c2410c',
};

interface RenderedPdf {
  readonly pdf: Buffer;
  readonly text: string;
  readonly chunks: number;
  readonly progress: readonly number[];
  /** Progress last reported when each chunk arrived. */
  readonly progressAtChunk: readonly number[];
  readonly chunkContents: readonly string[];
  /** The most bytes the stream held unread, sampled at every chunk. */
  readonly maxBufferedBytes: number;
}

function render(
  content: PortfolioContent,
  overrides: Partial<RenderPortfolioPdfOptions> = {},
): { stream: Readable; progress: number[] } {
  const progress: number[] = [];
  const stream = renderPortfolioPdf({
    title: 'Selected work',
    content,
    palette: PALETTE,
    format: 'A4',
    compress: false,
    onProgress: (percent) => progress.push(percent),
    ...overrides,
  });
  return { stream, progress };
}

/** The text of every `[...] TJ` operator, one line per operator (hex strings, WinAnsi). */
function extractPdfText(pdf: Buffer): string {
  const lines: string[] = [];
  for (const match of pdf.toString('latin1').matchAll(/\[([^\]]*)\] TJ/g)) {
    const hexParts = [...(match[1] ?? '').matchAll(/<([0-9a-f]*)>/g)].map((part) => part[1]);
    lines.push(hexParts.map((hex) => Buffer.from(hex ?? '', 'hex').toString('latin1')).join(''));
  }
  return lines.join('\n');
}

/** pdfkit writes each document-information value as its own object: follow the reference. */
function readInfoEntry(raw: string, key: string): string | undefined {
  const reference = new RegExp(`/${key} (\\d+) 0 R`).exec(raw)?.[1];
  if (reference === undefined) {
    return undefined;
  }
  return new RegExp(`\\n${reference} 0 obj\\n\\(([^)]*)\\)`).exec(raw)?.[1];
}

function countPdfPages(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
}

async function renderToBuffer(
  content: PortfolioContent,
  overrides: Partial<RenderPortfolioPdfOptions> = {},
  readerDelay: () => Promise<unknown> = () => Promise.resolve(),
): Promise<RenderedPdf> {
  const { stream, progress } = render(content, overrides);
  const parts: Buffer[] = [];
  const progressAtChunk: number[] = [];
  let maxBufferedBytes = 0;
  for await (const chunk of stream) {
    parts.push(chunk as Buffer);
    progressAtChunk.push(progress.at(-1) ?? -1);
    maxBufferedBytes = Math.max(maxBufferedBytes, stream.readableLength);
    await readerDelay();
  }
  const pdf = Buffer.concat(parts);
  return {
    pdf,
    text: extractPdfText(pdf),
    chunks: parts.length,
    progress,
    progressAtChunk,
    chunkContents: parts.map((part) => part.toString('latin1')),
    maxBufferedBytes,
  };
}

describe(renderPortfolioPdf.name, () => {
  it('renders a full portfolio as a complete PDF of several pages with its metadata', async () => {
    const { pdf } = await renderToBuffer(createSamplePortfolio());

    const raw = pdf.toString('latin1');
    expect(raw.startsWith('%PDF-')).toBe(true);
    expect(raw.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(countPdfPages(pdf)).toBeGreaterThanOrEqual(2);
    expect(readInfoEntry(raw, 'Title')).toBe('Selected work');
    expect(readInfoEntry(raw, 'Author')).toBe('Ada Lovelace');
    expect(readInfoEntry(raw, 'Creator')).toBe('RoleRabbit');
  });

  it('draws the name, the section titles and a page number on every page', async () => {
    const content = createSamplePortfolio();

    const { pdf, text } = await renderToBuffer(content);

    expect(text).toContain('Ada Lovelace');
    expect(text).toContain('SELECTED WORK');
    for (const section of content.sections) {
      expect(text).toContain(section.title);
    }
    const pages = countPdfPages(pdf);
    const footers = text.split('\n').filter((line) => /^Page \d+$/.test(line));
    expect(footers).toEqual(
      Array.from({ length: pages }, (_, index) => `Page ${String(index + 1)}`),
    );
  });

  it('paints with the template accent, text and background colours', async () => {
    const { pdf } = await renderToBuffer(createSamplePortfolio());

    const raw = pdf.toString('latin1');
    expect(raw).toContain(`${toPdfColourOperands(PALETTE.accent)} scn`);
    expect(raw).toContain(`${toPdfColourOperands(PALETTE.text)} scn`);
    expect(raw).toContain(`${toPdfColourOperands(PALETTE.background)} scn`);
  });

  it('links item URLs with URI annotations but never a non-web URL', async () => {
    const content = createSamplePortfolio({ sections: 1, itemsPerSection: 2 });
    const hostile = { ...content.sections[0]!.items[1]!, url: 'javascript:alert(1)' };
    content.sections[0]!.items[1] = hostile;

    const { pdf, text } = await renderToBuffer(content);

    const raw = pdf.toString('latin1');
    expect(raw).toContain('/URI (https://ada.example.com/work/0-0)');
    expect(raw).toContain('/Subtype /Link');
    expect(text).toContain('javascript:alert(1)');
    expect(raw).not.toContain('/URI (javascript:');
  });

  it('reports the page count of the finished document once', async () => {
    const summaries: number[] = [];

    const { pdf } = await renderToBuffer(createSamplePortfolio({ sections: 5 }), {
      onLaidOut: (summary) => summaries.push(summary.pageCount),
    });

    expect(summaries).toEqual([countPdfPages(pdf)]);
    expect(summaries[0]).toBeGreaterThan(2);
  });

  it('reports progress from 0 to 100 without ever going back', async () => {
    const { progress } = await renderToBuffer(createSamplePortfolio({ sections: 4 }));

    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100);
    expect(progress.length).toBeGreaterThan(5);
    for (let index = 1; index < progress.length; index += 1) {
      expect(progress[index]).toBeGreaterThan(progress[index - 1]!);
    }
  });

  it('hands out finished pages while later sections are still being laid out', async () => {
    const rendered = await renderToBuffer(
      createSamplePortfolio({ sections: 6, itemsPerSection: 8 }),
    );

    expect(rendered.chunks).toBeGreaterThan(1);
    const earlyPage = rendered.chunkContents.findIndex(
      (chunk, index) => chunk.includes('endstream') && rendered.progressAtChunk[index]! < 50,
    );
    expect(earlyPage).toBeGreaterThanOrEqual(0);
  });

  it('pauses layout while nobody reads and finishes once the reader returns', async () => {
    const { stream, progress } = render(
      createSamplePortfolio({ sections: 6, itemsPerSection: 50 }),
    );
    stream.read(0);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const stalledAt = progress.at(-1) ?? 0;
    const bufferedWhileStalled = stream.readableLength;
    let total = 0;
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
    }

    expect(stalledAt).toBeLessThan(50);
    expect(bufferedWhileStalled).toBeLessThan(PDF_STREAM_HIGH_WATER_MARK_BYTES * 2);
    expect(total).toBeGreaterThan(PDF_STREAM_HIGH_WATER_MARK_BYTES * 10);
    expect(progress.at(-1)).toBe(100);
  });

  it('renders 300 items in bounded time, memory and more pages than a short portfolio', async () => {
    const startedAt = performance.now();
    const short = await renderToBuffer(createSamplePortfolio({ sections: 1, itemsPerSection: 3 }));

    const long = await renderToBuffer(
      createSamplePortfolio({ sections: 6, itemsPerSection: 50 }),
      {},
      nextTurn,
    );

    expect(performance.now() - startedAt).toBeLessThan(5000);
    expect(countPdfPages(long.pdf)).toBeGreaterThan(countPdfPages(short.pdf) * 10);
    expect(long.text).toContain('Item 6.50 - Portal redesign');
    expect(long.pdf.length).toBeGreaterThan(PDF_STREAM_HIGH_WATER_MARK_BYTES * 10);
    expect(long.maxBufferedBytes).toBeLessThan(PDF_STREAM_HIGH_WATER_MARK_BYTES * 3);
  });

  it('stops laying out when the reader destroys the stream', async () => {
    const { stream, progress } = render(
      createSamplePortfolio({ sections: 6, itemsPerSection: 50 }),
    );
    const closed = new Promise((resolve) => stream.once('close', resolve));

    stream.once('data', () => stream.destroy());
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(progress.at(-1)).toBeLessThan(100);
  });

  it('replaces characters Helvetica cannot draw and wraps overlong words inside the page', async () => {
    const longWord = 'x'.repeat(3000);
    const content = createSamplePortfolio({ sections: 1, itemsPerSection: 1 });
    content.profile.name = 'Zoë 🚀 東京 Łukasz';
    content.sections[0]!.items[0]!.description = `Start ${longWord} end 👨‍👩‍👧 “done”`;

    const { pdf, text } = await renderToBuffer(content);

    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    const nameLines = text.split('\n').filter((line) => line === 'Zoë ? ?? Lukasz');
    // Once on the title page, then in the running header of every later page.
    expect(nameLines).toHaveLength(countPdfPages(pdf));
    expect(text).toContain('end ?');
    const wordLines = text
      .split('\n')
      .map((line) => /^x+/.exec(line)?.[0])
      .filter((line) => line !== undefined);
    expect(wordLines.length).toBeGreaterThan(20);
    expect(wordLines.join('')).toBe(longWord);
    const measure = new PDFDocument({ size: 'A4' }).font('Helvetica').fontSize(10.5);
    const contentWidth = 595.28 - 120;
    for (const line of wordLines) {
      expect(measure.widthOfString(line)).toBeLessThanOrEqual(contentWidth);
    }
  });

  it('sizes every page for A4 or US Letter', async () => {
    const content = createSamplePortfolio();

    const a4 = await renderToBuffer(content, { format: 'A4' });
    const letter = await renderToBuffer(content, { format: 'Letter' });

    const boxes = (pdf: Buffer) => [...pdf.toString('latin1').matchAll(/\/MediaBox \[([^\]]+)\]/g)];
    expect(boxes(a4.pdf).map((box) => box[1])).toEqual(
      Array.from({ length: countPdfPages(a4.pdf) }, () => '0 0 595.28 841.89'),
    );
    expect(boxes(letter.pdf).map((box) => box[1])).toEqual(
      Array.from({ length: countPdfPages(letter.pdf) }, () => '0 0 612 792'),
    );
  });

  it('compresses page contents unless told not to', async () => {
    const content = createSamplePortfolio({ sections: 1, itemsPerSection: 2 });

    const compressed = await renderToBuffer(content, { compress: undefined });
    const plain = await renderToBuffer(content, { compress: false });

    expect(compressed.pdf.toString('latin1')).toContain('/FlateDecode');
    expect(compressed.text).not.toContain('Ada Lovelace');
    expect(plain.pdf.toString('latin1')).not.toContain('/FlateDecode');
    expect(compressed.pdf.length).toBeLessThan(plain.pdf.length);
  });
});
