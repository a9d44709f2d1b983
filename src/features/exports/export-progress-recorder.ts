export interface ExportProgressRecorderOptions {
  /** Stores one value; values reach it in rising order, one call at a time. */
  readonly write: (percent: number) => Promise<void>;
  /** At most one write per this many milliseconds. @defaultValue 250 */
  readonly intervalMs?: number | undefined;
  /** Milliseconds clock. @defaultValue `performance.now` */
  readonly now?: () => number;
  /** A failed write is reported here and skipped: progress is informative, not essential. */
  readonly onWriteError?: (err: unknown) => void;
}

export interface ExportProgressRecorder {
  /** Offers a value; it is written when it is higher than the last one and the interval allows. */
  report(percent: number): void;
  /** Resolves when the write in flight (if any) has settled. */
  settle(): Promise<void>;
}

/**
 * Throttles progress into storage: a render reports a hundred times a second, the database
 * needs a few rows a second. Writes never overlap, so they land in the order they rose.
 */
export function createExportProgressRecorder(
  options: ExportProgressRecorderOptions,
): ExportProgressRecorder {
  const intervalMs = options.intervalMs ?? 250;
  const now = options.now ?? (() => performance.now());
  let written = -1;
  let writtenAtMs = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  return {
    report(percent) {
      const value = Math.floor(percent);
      if (value <= written || inFlight !== undefined || now() - writtenAtMs < intervalMs) {
        return;
      }
      written = value;
      writtenAtMs = now();
      inFlight = options
        .write(value)
        .catch((err: unknown) => options.onWriteError?.(err))
        .finally(() => {
          inFlight = undefined;
        });
    },
    async settle() {
      await inFlight;
    },
  };
}
