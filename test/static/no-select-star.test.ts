import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

// Written as a character class so this file does not match itself.
const FORBIDDEN = [/SELECT\s+[*]/i, /\.selectAll\(/, /RETURNING\s+[*]/i, /\.returningAll\(/];

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

export async function findSelectStar(directory: string): Promise<string[]> {
  const offenders: string[] = [];
  for (const file of await sourceFiles(directory)) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, index) => {
      if (FORBIDDEN.some((pattern) => pattern.test(line))) {
        offenders.push(`${file}:${String(index + 1)}: ${line.trim()}`);
      }
    });
  }
  return offenders;
}

describe('explicit column lists (R-PERF-4)', () => {
  it('finds no SELECT *, RETURNING *, selectAll() or returningAll() in src/', async () => {
    expect(await findSelectStar('src')).toEqual([]);
  });

  it('would report one if it were there', async () => {
    const offenders = await findSelectStar('test/static/fixtures');

    expect(offenders).toHaveLength(2);
  });
});
