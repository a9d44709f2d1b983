import { describe, expect, it } from 'vitest';

import { createLogger } from './create-logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    stream: {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  };
}

describe(createLogger.name, () => {
  it('redacts authorization headers and secret-named fields', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ env: 'test', log: { level: 'info' } }, stream);

    logger.info(
      {
        req: { headers: { authorization: 'Bearer eyJhbGc.secret.sig', cookie: 'sid=1' } },
        integration: { apiKey: 'sk_live_123', password: 'hunter2', region: 'eu' },
      },
      'request',
    );

    const text = JSON.stringify(lines);
    expect(text).not.toContain('eyJhbGc');
    expect(text).not.toContain('sk_live_123');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('sid=1');
    expect(lines[0]).toMatchObject({ level: 'info', integration: { region: 'eu' } });
  });

  it('respects the configured level', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ env: 'test', log: { level: 'warn' } }, stream);

    logger.info('quiet');
    logger.warn('loud');

    expect(lines.map((line) => line.msg)).toEqual(['loud']);
  });
});
