import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Above this size brotli's top quality costs seconds of CPU for a few percent, so it steps down. */
export const MAX_BYTES_AT_BEST_BROTLI = 1024 * 1024;
const LARGE_BODY_BROTLI_QUALITY = 9;

export interface CompressedVariants {
  readonly gzip: Buffer;
  readonly brotli: Buffer;
}

/**
 * Precompresses one file with (nearly) the strongest settings: it happens once per deployment
 * and the result is served for every request. Runs on the libuv thread pool,
 * so a build does not stall the event loop.
 */
export async function compressSiteBody(body: Buffer): Promise<CompressedVariants> {
  const [gzipped, brotlied] = await Promise.all([
    gzipAsync(body, { level: constants.Z_BEST_COMPRESSION }),
    brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]:
          body.length > MAX_BYTES_AT_BEST_BROTLI
            ? LARGE_BODY_BROTLI_QUALITY
            : constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  ]);
  return { gzip: gzipped, brotli: brotlied };
}
