import type { PortfolioContent } from '../portfolios/portfolio-content.ts';
import { breakOverlongWords, fitToWidth } from './pdf-line-fitting.ts';
import type { PdfDocument } from './pdf-page-frame.ts';
import type { PdfPalette } from './pdf-palette.ts';
import { toPdfSafeText } from './pdf-safe-text.ts';
import { PDF_TEXT_STYLES, type PdfPen, type PdfTextStyle } from './pdf-typography.ts';

type PortfolioSection = PortfolioContent['sections'][number];
type PortfolioItem = PortfolioSection['items'][number];

/** What every block draws with. */
export interface PdfLayout {
  readonly doc: PdfDocument;
  readonly pen: PdfPen;
  readonly palette: PdfPalette;
}

const SPINE_WIDTH = 16;
const LINK_LABEL_WIDTH = 120;
const LINK_COLUMN_GAP = 12;
const TAG_PADDING_X = 6;
const TAG_PADDING_Y = 3.5;
// Helvetica's cap height as a share of the font size, to centre chip labels optically.
const CAP_HEIGHT_EM = 0.718;
const TAG_GAP = 5;
// Only these become clickable: the content schema already limits URLs to http(s), and a
// PDF must not carry a `javascript:` or `file:` action even if unvalidated content slips in.
const WEB_LINK = /^https?:\/\/[\x21-\x7e]+$/i;

function contentBox(doc: PdfDocument): { left: number; width: number } {
  const { margins, width } = doc.page;
  return { left: margins.left, width: width - margins.left - margins.right };
}

function write(
  layout: PdfLayout,
  text: string,
  style: PdfTextStyle,
  colour: string,
  options: PDFKit.Mixins.TextOptions = {},
): void {
  if (text.trim().length === 0) {
    return;
  }
  const { doc, pen } = layout;
  const { left, width } = contentBox(doc);
  pen.use(style, colour);
  doc.text(breakOverlongWords(doc, text, width), left, doc.y, {
    width,
    lineGap: style.lineGap,
    ...options,
  });
}

/** Starts a new page when fewer than `heightPoints` remain, unless already at the top. */
function ensureSpace(layout: PdfLayout, heightPoints: number): void {
  const { doc } = layout;
  if (doc.y > doc.page.margins.top && doc.y + heightPoints > doc.page.maxY()) {
    doc.addPage();
  }
}

function drawRule(layout: PdfLayout, width: number, thickness: number, gapAfter: number): void {
  const { doc } = layout;
  ensureSpace(layout, thickness + gapAfter);
  doc.rect(contentBox(doc).left, doc.y, width, thickness).fill(layout.palette.accent);
  doc.y += thickness + gapAfter;
}

function linkTarget(url: string): string | null {
  return WEB_LINK.test(url) ? url : null;
}

/** Upper-cases where the capital can be drawn: "µ" would become a Greek capital Mu. */
function toDrawableUpperCase(text: string): string {
  return toPdfSafeText(text).replace(/[\s\S]/g, (character) => {
    const upper = character.toUpperCase();
    return toPdfSafeText(upper) === upper ? upper : character;
  });
}

function drawHeading(layout: PdfLayout, title: string): void {
  const { doc } = layout;
  if (doc.y > doc.page.margins.top) {
    doc.y += 16;
  }
  // A heading with less than a few body lines under it would be stranded at the page foot.
  ensureSpace(layout, 90);
  write(layout, toPdfSafeText(title), PDF_TEXT_STYLES.sectionTitle, layout.palette.accent);
  doc.y += 3;
  drawRule(layout, contentBox(doc).width, 1, 10);
}

function drawLinkRow(layout: PdfLayout, label: string, url: string): void {
  const { doc, pen, palette } = layout;
  const { left, width } = contentBox(doc);
  const urlWidth = width - LINK_LABEL_WIDTH - LINK_COLUMN_GAP;
  const labelStyle = PDF_TEXT_STYLES.linkLabel;
  const urlStyle = PDF_TEXT_STYLES.link;
  pen.use(labelStyle, palette.text);
  const safeLabel = breakOverlongWords(doc, toPdfSafeText(label), LINK_LABEL_WIDTH);
  const labelHeight = doc.heightOfString(safeLabel, { width: LINK_LABEL_WIDTH });
  pen.use(urlStyle, palette.accent);
  const safeUrl = breakOverlongWords(doc, toPdfSafeText(url), urlWidth);
  const urlHeight = doc.heightOfString(safeUrl, { width: urlWidth });
  ensureSpace(layout, Math.max(labelHeight, urlHeight));
  const top = doc.y;
  const page = doc.page;
  pen.use(labelStyle, palette.text);
  doc.text(safeLabel, left, top, { width: LINK_LABEL_WIDTH, lineGap: labelStyle.lineGap });
  pen.use(urlStyle, palette.accent);
  doc.text(safeUrl, left + LINK_LABEL_WIDTH + LINK_COLUMN_GAP, top, {
    width: urlWidth,
    lineGap: urlStyle.lineGap,
    link: linkTarget(url),
  });
  // Only realign the columns when neither of them had to continue on a new page.
  if (doc.page === page) {
    doc.y = top + Math.max(labelHeight, urlHeight) + 4;
  }
  doc.x = left;
}

/** The first page: the name set large beside an accent spine, then contact and links. */
export function drawTitlePage(layout: PdfLayout, title: string, content: PortfolioContent): void {
  const { doc, palette } = layout;
  const { profile } = content;
  doc.rect(0, 0, SPINE_WIDTH, doc.page.height).fill(palette.accent);
  doc.y = doc.page.margins.top + doc.page.height * 0.16;
  write(layout, toDrawableUpperCase(title), PDF_TEXT_STYLES.documentLabel, palette.accent, {
    characterSpacing: 1.2,
  });
  doc.y += 10;
  write(layout, toPdfSafeText(profile.name), PDF_TEXT_STYLES.name, palette.text);
  if (profile.headline !== undefined) {
    doc.y += 4;
    write(layout, toPdfSafeText(profile.headline), PDF_TEXT_STYLES.headline, palette.muted);
  }
  doc.y += 18;
  drawRule(layout, 56, 3, 18);
  const contact = PDF_TEXT_STYLES.contact;
  if (profile.location !== undefined) {
    write(layout, toPdfSafeText(profile.location), contact, palette.muted);
  }
  if (profile.email !== undefined) {
    const email = toPdfSafeText(profile.email);
    write(layout, email, contact, palette.muted, { link: `mailto:${email}` });
  }
  if (profile.website !== undefined) {
    const link = linkTarget(profile.website);
    write(layout, toPdfSafeText(profile.website), contact, palette.accent, { link });
  }
  if (content.links.length > 0) {
    doc.y += 28;
    ensureSpace(layout, 40);
    write(layout, 'LINKS', PDF_TEXT_STYLES.documentLabel, palette.muted, { characterSpacing: 1.2 });
    doc.y += 8;
    for (const link of content.links) {
      drawLinkRow(layout, link.label, link.url);
    }
  }
}

/** The profile bio, set like a section so the document reads as one piece. */
export function drawBio(layout: PdfLayout, bio: string): void {
  drawHeading(layout, 'Profile');
  write(
    layout,
    toPdfSafeText(bio, { multiline: true }),
    PDF_TEXT_STYLES.body,
    layout.palette.text,
    {
      paragraphGap: 6,
    },
  );
}

/** A section's heading in the accent colour, a rule, and its body text. */
export function drawSectionStart(layout: PdfLayout, section: PortfolioSection): void {
  drawHeading(layout, section.title);
  if (section.body !== undefined) {
    const body = toPdfSafeText(section.body, { multiline: true });
    write(layout, body, PDF_TEXT_STYLES.body, layout.palette.text, { paragraphGap: 6 });
    layout.doc.y += 6;
  }
}

function drawTags(layout: PdfLayout, tags: readonly string[]): void {
  const { doc, pen, palette } = layout;
  const { left, width } = contentBox(doc);
  const style = PDF_TEXT_STYLES.tag;
  const chipHeight = style.size + TAG_PADDING_Y * 2;
  ensureSpace(layout, chipHeight);
  let x = left;
  let y = doc.y;
  for (const tag of tags) {
    pen.use(style, palette.text);
    const label = fitToWidth(doc, toPdfSafeText(tag), width - TAG_PADDING_X * 2);
    if (label.length === 0) {
      continue;
    }
    const chipWidth = doc.widthOfString(label) + TAG_PADDING_X * 2;
    if (x > left && x + chipWidth > left + width) {
      x = left;
      y += chipHeight + TAG_GAP;
    }
    if (y + chipHeight > doc.page.maxY()) {
      doc.addPage();
      x = left;
      y = doc.y;
    }
    doc.roundedRect(x, y, chipWidth, chipHeight, chipHeight / 2).fill(palette.accentTint);
    pen.use(style, palette.text);
    const labelTop = y + (chipHeight - style.size * CAP_HEIGHT_EM) / 2;
    doc.text(label, x + TAG_PADDING_X, labelTop, { lineBreak: false });
    x += chipWidth + TAG_GAP;
  }
  doc.x = left;
  doc.y = y + chipHeight;
}

/** One entry of a section: title, subtitle and period, description, link and tags. */
export function drawItem(layout: PdfLayout, item: PortfolioItem): void {
  const { doc, pen, palette } = layout;
  const { width } = contentBox(doc);
  pen.use(PDF_TEXT_STYLES.itemTitle, palette.text);
  const title = breakOverlongWords(doc, toPdfSafeText(item.title), width);
  const titleHeight = doc.heightOfString(title, { width });
  // Keep the title with its subtitle line and the start of its description.
  ensureSpace(layout, titleHeight + 44);
  write(layout, title, PDF_TEXT_STYLES.itemTitle, palette.text);
  const meta = [item.subtitle, item.period]
    .filter((part): part is string => part !== undefined && part.length > 0)
    .map((part) => toPdfSafeText(part))
    .join('  \u00b7  ');
  if (meta.length > 0) {
    doc.y += 1;
    write(layout, meta, PDF_TEXT_STYLES.itemMeta, palette.muted);
  }
  if (item.description !== undefined) {
    doc.y += 4;
    const description = toPdfSafeText(item.description, { multiline: true });
    write(layout, description, PDF_TEXT_STYLES.body, palette.text, { paragraphGap: 4 });
  }
  if (item.url !== undefined) {
    doc.y += 3;
    const link = linkTarget(item.url);
    write(layout, toPdfSafeText(item.url), PDF_TEXT_STYLES.link, palette.accent, { link });
  }
  if (item.tags !== undefined && item.tags.length > 0) {
    doc.y += 6;
    drawTags(layout, item.tags);
  }
  doc.y += 16;
}
