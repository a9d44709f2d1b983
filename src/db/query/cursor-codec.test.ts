import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { InvalidInputError } from '../../errors/app-error.ts';
import { createCursorCodec } from './cursor-codec.ts';

const keySchema = z.object({ createdAt: z.string(), id: z.string() });
const key = { createdAt: '2026-01-01T00:00:00.000Z', id: 'abc' };

describe(createCursorCodec.name, () => {
  it('round-trips a key', () => {
    const codec = createCursorCodec('s'.repeat(32));

    expect(codec.decode(codec.encode(key), keySchema)).toEqual(key);
  });

  it('produces URL-safe tokens', () => {
    const token = createCursorCodec('s'.repeat(32)).encode(key);

    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['a cursor signed with another secret', createCursorCodec('t'.repeat(32)).encode(key)],
    ['an empty string', ''],
    ['no signature', 'eyJhIjoxfQ'],
    ['too many parts', 'a.b.c'],
  ])('refuses %s', (_label, token) => {
    const codec = createCursorCodec('s'.repeat(32));

    expect(() => codec.decode(token, keySchema)).toThrow(InvalidInputError);
  });

  it('refuses a genuine cursor whose key has another shape', () => {
    const codec = createCursorCodec('s'.repeat(32));

    expect(() => codec.decode(codec.encode('just-a-slug'), keySchema)).toThrow(/cursor is invalid/);
  });
});
