import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

import PDFDocument from 'pdfkit';

import type { TemplatePaletteColumn } from '../../db/database-types.ts';
import { toError } from '../../errors/app-error.ts';
import type { PortfolioContent } from '../portfolios/portfolio-content.ts';
import { installPageFrame, PDF_PAGE_MARGINS, type PdfDocument } from './pdf-page-frame.ts';
import { resolvePdfPalette } from './pdf-palette.ts';
import {
  drawBio,
  drawItem,
  drawSectionStart,
  drawTitlePage,
  type PdfLayout,
} from './pdf-portfolio-blocks.ts';
import { toPdfSafeText } from './pdf-safe-text.ts';
import { createPdfPen } from './pdf-typography.ts';

export {
  estimatePdfRenderMs,
  IN_REQUEST_BUDGET_MS,
  shouldRenderInRequest,
} from './pdf-render-estimate.ts';

export type PdfPageFormat = 'A4' | 'Letter';

export interface PdfLayoutSummary {
  /** Pages in the finished document, the title page included. */
  readonly pageCount: number;
}

export interface RenderPortfolioPdfOptions {
  /** The portfolio's title: the document title and the label on the title page. */
  readonly title: string;
  readonly content: PortfolioContent;
  /** The template's colours (`#rrggbb`); an invalid entry falls back to a neutral colour. */
  readonly palette: TemplatePaletteColumn;
  readonly format: PdfPageFormat;
  /** Called with whole percentages, 0 first and 100 last, never decreasing. */
  readonly onProgress?: ((percent: number) => void) | undefined;
  /** Called once when layout is complete, before the last bytes are read (page count). */
  readonly onLaidOut?: ((summary: PdfLayoutSummary) => void) | undefined;
  /** Deflate page contents. Tests turn it off to read the drawing operators. @defaultValue true */
  readonly compress?: boolean | undefined;
}

/**
 * Bytes the returned stream may hold before layout pauses for the reader. With pdfkit
 * writing each page as it is finished, memory stays near this plus one page, whatever the
 * document's length.
 */
export const PDF_STREAM_HIGH_WATER_MARK_BYTES = 64 * 1024;

const PAGE_SIZES: Readonly<Record<PdfPageFormat, string>> = { A4: 'A4', Letter: 'LETTER' };
const STEP_OVERHEAD_CHARACTERS = 200;

interface LayoutStep {
  /** Share of the work, in characters laid out (plus a fixed cost per step). */
  readonly weight: number;
  readonly draw: () => void;
}

function textLength(...parts: readonly (string | undefined)[]): number {
  return parts.reduce((sum, part) => sum + (part?.length ?? 0), STEP_OVERHEAD_CHARACTERS);
}

function planLayout(layout: PdfLayout, title: string, content: PortfolioContent): LayoutStep[] {
  const { profile } = content;
  const linkText = content.links.map((link) => link.label + link.url).join('');
  const steps: LayoutStep[] = [
    {
      weight: textLength(title, profile.name, profile.headline, profile.location, linkText),
      draw: () => {
        drawTitlePage(layout, title, content);
      },
    },
  ];
  const { bio } = profile;
  if (bio !== undefined || content.sections.length > 0) {
    steps.push({
      weight: textLength(bio),
      draw: () => {
        layout.doc.addPage();
        if (bio !== undefined) {
          drawBio(layout, bio);
        }
      },
    });
  }
  for (const section of content.sections) {
    steps.push({
      weight: textLength(section.title, section.body),
      draw: () => {
        drawSectionStart(layout, section);
      },
    });
    for (const item of section.items) {
      steps.push({
        weight: textLength(
          item.title,
          item.subtitle,
          item.period,
          item.description,
          item.url,
          ...(item.tags ?? []),
        ),
        draw: () => {
          drawItem(layout, item);
        },
      });
    }
  }
  return steps;
}

function createProgressReporter(onProgress: ((percent: number) => void) | undefined) {
  let reported = -1;
  return (percent: number): void => {
    const whole = Math.floor(percent);
    if (onProgress !== undefined && whole > reported) {
      reported = whole;
      onProgress(whole);
    }
  };
}

function createDocument(options: RenderPortfolioPdfOptions): PdfDocument {
  return new PDFDocument({
    size: PAGE_SIZES[options.format],
    margins: PDF_PAGE_MARGINS,
    autoFirstPage: false,
    compress: options.compress ?? true,
    displayTitle: true,
    info: { Title: options.title, Author: options.content.profile.name, Creator: 'RoleRabbit' },
  });
}

/**
 * Lays the portfolio out as a designed PDF and returns it as a byte stream. Layout runs a
 * step (title page, section heading, item) at a time, starts on the first read, and waits
 * while the reader is behind, so the document is never held whole in memory and a long
 * render yields to the event loop between steps. Destroying the stream stops the layout.
 */
export function renderPortfolioPdf(options: RenderPortfolioPdfOptions): Readable {
  const doc = createDocument(options);
  const palette = resolvePdfPalette(options.palette);
  const pen = createPdfPen(doc);
  const layout: PdfLayout = { doc, pen, palette };
  const report = createProgressReporter(options.onProgress);
  let started = false;
  let wakeLayout: (() => void) | undefined;
  const wake = (): void => {
    const resume = wakeLayout;
    wakeLayout = undefined;
    resume?.();
  };

  const output = new Readable({
    highWaterMark: PDF_STREAM_HIGH_WATER_MARK_BYTES,
    read() {
      if (!started) {
        started = true;
        void layOut();
        return;
      }
      wake();
    },
    destroy(error, callback) {
      wake();
      callback(error);
    },
  });
  doc.on('data', (chunk: Buffer) => output.push(chunk));
  doc.on('end', () => output.push(null));

  const waitForReader = async (): Promise<void> => {
    if (output.readableLength + doc.readableLength < output.readableHighWaterMark) {
      await nextTurn();
      return;
    }
    await new Promise<void>((resolve) => {
      wakeLayout = resolve;
    });
  };

  async function layOut(): Promise<void> {
    try {
      report(0);
      const runningHeader = toPdfSafeText(options.content.profile.name);
      const frame = installPageFrame(doc, { palette, pen, runningHeader });
      doc.addPage();
      const steps = planLayout(layout, options.title, options.content);
      const total = steps.reduce((sum, step) => sum + step.weight, 0);
      let done = 0;
      for (const step of steps) {
        if (output.destroyed) {
          return;
        }
        step.draw();
        done += step.weight;
        report(Math.min(99, (done / total) * 100));
        await waitForReader();
      }
      if (!output.destroyed) {
        doc.end();
        report(100);
        options.onLaidOut?.({ pageCount: frame.pageCount() });
      }
    } catch (error) {
      output.destroy(toError(error));
    }
  }

  return output;
}
