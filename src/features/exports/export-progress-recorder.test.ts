import { describe, expect, it } from 'vitest';

import { createExportProgressRecorder } from './export-progress-recorder.ts';

function createHarness(intervalMs = 100) {
  let nowMs = 0;
  const written: number[] = [];
  const pending: (() => void)[] = [];
  const errors: unknown[] = [];
  let failNext = false;
  const recorder = createExportProgressRecorder({
    intervalMs,
    now: () => nowMs,
    write: (percent) =>
      new Promise<void>((resolve, reject) => {
        written.push(percent);
        const fail = failNext;
        failNext = false;
        pending.push(() => {
          if (fail) {
            reject(new Error('database gone'));
          } else {
            resolve();
          }
        });
      }),
    onWriteError: (err) => errors.push(err),
  });
  return {
    recorder,
    written,
    errors,
    advance(ms: number) {
      nowMs += ms;
    },
    failNextWrite() {
      failNext = true;
    },
    async completeWrites() {
      for (const complete of pending.splice(0)) {
        complete();
      }
      await recorder.settle();
    },
  };
}

describe(createExportProgressRecorder.name, () => {
  it('writes at most once per interval, keeping the value current when it writes', async () => {
    const harness = createHarness(100);

    harness.recorder.report(1);
    await harness.completeWrites();
    harness.advance(40);
    harness.recorder.report(5);
    harness.advance(70);
    harness.recorder.report(12.7);
    await harness.completeWrites();

    expect(harness.written).toEqual([1, 12]);
  });

  it('never writes a value that is not higher than the last one written', async () => {
    const harness = createHarness(10);

    harness.recorder.report(30);
    await harness.completeWrites();
    harness.advance(20);
    harness.recorder.report(30.9);
    harness.advance(20);
    harness.recorder.report(12);
    await harness.completeWrites();

    expect(harness.written).toEqual([30]);
  });

  it('does not start a write while the previous one is still running', async () => {
    const harness = createHarness(10);

    harness.recorder.report(10);
    harness.advance(50);
    harness.recorder.report(20);
    await harness.completeWrites();
    harness.recorder.report(30);
    await harness.completeWrites();

    expect(harness.written).toEqual([10, 30]);
  });

  it('reports a failed write and keeps recording later values', async () => {
    const harness = createHarness(10);

    harness.failNextWrite();
    harness.recorder.report(10);
    await harness.completeWrites();
    harness.advance(20);
    harness.recorder.report(40);
    await harness.completeWrites();

    expect(harness.errors).toHaveLength(1);
    expect(harness.written).toEqual([10, 40]);
  });
});
