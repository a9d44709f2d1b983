/** How text is measured: the width in points of a string in the current font and size. */
export interface TextMeasure {
  widthOfString(text: string): number;
}

/** Cuts `text` with an ellipsis so that it is at most `maxWidth` points wide. */
export function fitToWidth(measure: TextMeasure, text: string, maxWidth: number): string {
  if (measure.widthOfString(text) <= maxWidth) {
    return text;
  }
  let fits = 0;
  let tooLong = text.length;
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (measure.widthOfString(`${text.slice(0, middle)}...`) <= maxWidth) {
      fits = middle;
    } else {
      tooLong = middle;
    }
  }
  return fits > 0 ? `${text.slice(0, fits).trimEnd()}...` : '';
}

// Shorter runs always fit a line at the sizes used, so they are not even measured.
const CANDIDATE_WORD = /\S{24,}/g;

/**
 * Puts a line break into every word wider than `maxWidth`, so each piece fits a line.
 * pdfkit can split such words itself, but re-measures the whole remainder for every line
 * (quadratic: a 10,000-character word takes ~90 ms); this measures each character once.
 */
export function breakOverlongWords(measure: TextMeasure, text: string, maxWidth: number): string {
  const widths = new Map<string, number>();
  const widthOf = (character: string): number => {
    let width = widths.get(character);
    if (width === undefined) {
      width = measure.widthOfString(character);
      widths.set(character, width);
    }
    return width;
  };
  // Kerning is ignored per character, so leave a little room for it.
  const limit = maxWidth * 0.97;
  return text.replace(CANDIDATE_WORD, (word) => {
    const pieces: string[] = [];
    let piece = '';
    let pieceWidth = 0;
    for (const character of word) {
      const width = widthOf(character);
      if (piece.length > 0 && pieceWidth + width > limit) {
        pieces.push(piece);
        piece = '';
        pieceWidth = 0;
      }
      piece += character;
      pieceWidth += width;
    }
    pieces.push(piece);
    return pieces.join('\n');
  });
}
