import type { SiteEncoding } from './site-storage-layout.ts';

/** Bytes of one file in each stored encoding. */
export type EncodedSizes = Readonly<Record<SiteEncoding, number>>;

/** On equal preference and size, the order we pick in. */
const TIE_ORDER: readonly SiteEncoding[] = ['br', 'gzip', 'identity'];

// `coding;q=0.8`: the weight is 0-1 with at most three decimals (RFC 9110 §12.4.2).
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** Each named coding's weight, `*` included; malformed entries are skipped. */
function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [rawCoding = '', ...parameters] = entry.split(';');
    const coding = rawCoding.trim().toLowerCase();
    if (coding === '') {
      continue;
    }
    let weight = 1;
    let malformed = false;
    for (const parameter of parameters) {
      const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
      if (name.toLowerCase() !== 'q') {
        continue;
      }
      if (QVALUE.test(value)) {
        weight = Number(value);
      } else {
        malformed = true;
      }
    }
    if (!malformed) {
      // `x-gzip` is the historical name of gzip (RFC 9110 §8.4.1.3).
      weights.set(coding === 'x-gzip' ? 'gzip' : coding, weight);
    }
  }
  return weights;
}

/** A named weight, or the `*` weight; undefined when the header says nothing about it. */
function statedWeight(weights: ReadonlyMap<string, number>, encoding: SiteEncoding) {
  return weights.get(encoding) ?? weights.get('*');
}

/**
 * Picks the stored encoding to send for an Accept-Encoding header (R-PERF-6, RFC 9110
 * §12.5.3): the highest weight wins, `q=0` refuses, `*` stands for every unlisted coding;
 * among equals, the fewest bytes (tiny files can grow when compressed), then brotli before
 * gzip before identity. No header means no compression. When the client refuses everything we
 * have, identity is sent anyway, as the RFC allows, rather than failing the request.
 */
export function chooseEncoding(
  acceptEncoding: string | undefined,
  sizes: EncodedSizes,
): SiteEncoding {
  if (acceptEncoding === undefined) {
    return 'identity';
  }
  const weights = parseAcceptEncoding(acceptEncoding);
  const compressedWeight = Math.max(
    statedWeight(weights, 'br') ?? 0,
    statedWeight(weights, 'gzip') ?? 0,
  );
  // Identity is acceptable unless refused, and when unmentioned it ranks with the best
  // compressed coding, so the size decides between them instead of an invented preference.
  const weightOf = (encoding: SiteEncoding): number =>
    statedWeight(weights, encoding) ??
    (encoding === 'identity' ? (compressedWeight > 0 ? compressedWeight : 1) : 0);
  let best: { encoding: SiteEncoding; weight: number } | undefined;
  for (const encoding of TIE_ORDER) {
    const weight = weightOf(encoding);
    if (weight <= 0) {
      continue;
    }
    if (
      best === undefined ||
      weight > best.weight ||
      (weight === best.weight && sizes[encoding] < sizes[best.encoding])
    ) {
      best = { encoding, weight };
    }
  }
  return best?.encoding ?? 'identity';
}
