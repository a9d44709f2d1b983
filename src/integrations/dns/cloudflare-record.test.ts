import { describe, expect, it } from 'vitest';

import { toRecord, unquoteTxt } from './cloudflare-record.ts';

describe(unquoteTxt.name, () => {
  it.each([
    ['"abc"', 'abc'],
    ['"ab" "cd"', 'abcd'],
    ['"say \\"hi\\""', 'say "hi"'],
    ['plain', 'plain'],
    ['', ''],
  ])('reads %s as %s', (shown, content) => {
    expect(unquoteTxt(shown)).toBe(content);
  });
});

describe(toRecord.name, () => {
  const base = { id: 'r1', name: 'WWW.Example.com', ttl: 1, proxied: true };

  it('lower-cases the name and unquotes TXT content', () => {
    expect(toRecord({ ...base, type: 'TXT', content: '"token"', proxied: false })).toEqual({
      id: 'r1',
      type: 'TXT',
      name: 'www.example.com',
      content: 'token',
      ttlSeconds: 1,
      proxied: false,
      owner: null,
    });
  });

  it.each([
    ['rolerabbit:portfolio=abc', 'portfolio=abc'],
    ['rolerabbit:', null],
    ['marketing site', null],
    [null, null],
  ])('reads the comment %j as the owner %j', (comment, owner) => {
    expect(toRecord({ ...base, type: 'CNAME', content: 'x.example.net', comment })?.owner).toBe(
      owner,
    );
  });

  it('skips record types the service does not manage', () => {
    expect(toRecord({ ...base, type: 'MX', content: 'mail.example.com' })).toBeUndefined();
  });
});
