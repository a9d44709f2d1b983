import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../errors/app-error.ts';
import { parseHostName, parseRecordInput } from './parse-record-input.ts';

describe(parseHostName.name, () => {
  it('lower-cases and drops the trailing dot', () => {
    expect(parseHostName(' Blog.Example.COM. ')).toBe('blog.example.com');
  });

  it('accepts service labels with underscores and Punycode labels', () => {
    expect(parseHostName('_acme-challenge.xn--bcher-kva.example')).toBe(
      '_acme-challenge.xn--bcher-kva.example',
    );
  });

  it.each(['localhost', 'a..example.com', '-a.example.com', 'bücher.example', 'a b.example.com'])(
    'rejects %s',
    (name) => {
      expect(() => parseHostName(name)).toThrow(InvalidInputError);
    },
  );

  it('rejects a name longer than 253 characters', () => {
    const name = `${'a'.repeat(63)}.`.repeat(4) + 'com';

    expect(() => parseHostName(name)).toThrow(/1–253/);
  });
});

const OWNER = 'portfolio=3f0c2a52-5a43-4b8e-9d43-0f4b8f1e2a11';

describe(parseRecordInput.name, () => {
  it('fills the defaults: automatic TTL, not proxied', () => {
    expect(
      parseRecordInput({ type: 'A', name: 'x.example.com', content: '192.0.2.1', owner: OWNER }),
    ).toEqual({
      type: 'A',
      name: 'x.example.com',
      content: '192.0.2.1',
      ttlSeconds: 1,
      proxied: false,
      owner: OWNER,
    });
  });

  it.each(['', 'has space', 'rolerabbit:portfolio=x', 'x'.repeat(81)])(
    'refuses the owner key %j',
    (owner) => {
      expect(() =>
        parseRecordInput({ type: 'A', name: 'x.example.com', content: '192.0.2.1', owner }),
      ).toThrow(/owner/);
    },
  );

  it('accepts localhost, and no other single label, as a CNAME target (local sites)', () => {
    expect(
      parseRecordInput({
        type: 'CNAME',
        name: 'jane.localhost',
        content: 'LocalHost',
        owner: OWNER,
      }).content,
    ).toBe('localhost');
    expect(() =>
      parseRecordInput({
        type: 'CNAME',
        name: 'jane.localhost',
        content: 'intranet',
        owner: OWNER,
      }),
    ).toThrow(/two labels/);
  });

  it('normalises a CNAME target like a name', () => {
    expect(
      parseRecordInput({
        type: 'CNAME',
        name: 'x.example.com',
        content: 'Sites.Example.NET.',
        owner: OWNER,
      }).content,
    ).toBe('sites.example.net');
  });

  it('names the invalid field', () => {
    const error = (() => {
      try {
        parseRecordInput({
          type: 'AAAA',
          name: 'x.example.com',
          content: '192.0.2.1',
          owner: OWNER,
        });
      } catch (err) {
        return err;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).fieldIssues).toEqual([
      { path: 'content', message: 'an AAAA record needs an IPv6 address' },
    ]);
  });

  it('rejects TXT content with control characters or over 2048 characters', () => {
    const txt = (content: string) => () =>
      parseRecordInput({ type: 'TXT', name: 'x.example.com', content, owner: OWNER });

    expect(txt('line\nbreak')).toThrow(InvalidInputError);
    expect(txt('a'.repeat(2049))).toThrow(InvalidInputError);
    expect(txt('a'.repeat(2048))).not.toThrow();
  });
});
