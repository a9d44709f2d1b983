import { describe, expect, it } from 'vitest';

import { hasUserinfo, stripUserinfo } from './web-url.ts';

describe(hasUserinfo.name, () => {
  it.each([
    'https://trusted.example@evil.example/',
    'https://user:pass@evil.example/path',
    'https://trusted.example:@evil.example/',
    'https://@evil.example/',
    'http://a%40b@evil.example',
  ])('finds credentials in %s', (url) => {
    expect(hasUserinfo(url)).toBe(true);
  });

  it.each([
    'https://example.com/',
    'https://example.com/@handle',
    'https://example.com/?email=a@b.example',
    'https://example.com/#@top',
  ])('finds none in %s', (url) => {
    expect(hasUserinfo(url)).toBe(false);
  });
});

describe(stripUserinfo.name, () => {
  it('removes the credentials and keeps the rest', () => {
    expect(stripUserinfo('https://trusted.example@evil.example/a?b=1#c')).toBe(
      'https://evil.example/a?b=1#c',
    );
    expect(stripUserinfo('https://u:p@evil.example')).toBe('https://evil.example/');
  });

  it('returns a URL without credentials byte for byte', () => {
    expect(stripUserinfo('https://Example.com/@handle')).toBe('https://Example.com/@handle');
  });
});
