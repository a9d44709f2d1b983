import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../errors/app-error.ts';
import { assertValidKey, assertValidPrefix, MAX_KEY_BYTES } from './storage-keys.ts';

function issueOf(check: () => void): unknown {
  try {
    check();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe(assertValidKey.name, () => {
  it.each([
    'a',
    'portfolios/6f1c/site/index.html',
    'exports/user 1/résumé (final).pdf',
    '.well-known/acme-challenge/token',
    'a..b/c.',
    'x'.repeat(MAX_KEY_BYTES),
  ])('accepts %s', (key) => {
    expect(() => {
      assertValidKey(key);
    }).not.toThrow();
  });

  it.each([
    ['', 'must not be empty'],
    ['/abs', 'relative'],
    ['../x', '".."'],
    ['a/../../x', '".."'],
    ['a/./b', '"."'],
    ['.', '"."'],
    ['a//b', 'empty segments'],
    ['a/', 'empty segments'],
    ['a\\b', '"\\"'],
    ['a\u0000b', 'control'],
    ['a\u001fb', 'control'],
    ['a\u007fb', 'control'],
    ['é'.repeat(MAX_KEY_BYTES / 2 + 1), 'bytes'],
  ])('rejects %j with request.invalid on field "key"', (key, reason) => {
    const error = issueOf(() => {
      assertValidKey(key);
    });

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({
      code: 'request.invalid',
      fieldIssues: [{ path: 'key', message: expect.stringContaining(reason) as unknown }],
    });
  });
});

describe(assertValidPrefix.name, () => {
  it.each(['', 'a', 'a/', 'a/b/', 'a/.', 'a/..'])('accepts the prefix %j', (prefix) => {
    expect(() => {
      assertValidPrefix(prefix);
    }).not.toThrow();
  });

  it.each(['/', '../', 'a/../b/', 'a//', 'a\\'])('rejects the prefix %j', (prefix) => {
    expect(
      issueOf(() => {
        assertValidPrefix(prefix);
      }),
    ).toMatchObject({ fieldIssues: [{ path: 'prefix' }] });
  });
});
