import { describe, expect, it } from 'vitest';

import { PDF_REPLACEMENT_CHARACTER, toPdfSafeText } from './pdf-safe-text.ts';

describe(toPdfSafeText.name, () => {
  it('keeps ASCII, Latin-1 and the WinAnsi typographic characters', () => {
    const text = 'Zoë Müller – “quoted” … €5 • Ÿ ™ ß';

    expect(toPdfSafeText(text)).toBe(text);
  });

  it('replaces each emoji, with its joiners and modifiers, by one replacement character', () => {
    expect(toPdfSafeText('a 🚀 b 👍🏽 c 👨‍👩‍👧 d ❤️')).toBe('a ? b ? c ??? d ?');
    expect(PDF_REPLACEMENT_CHARACTER).toBe('?');
  });

  it('replaces scripts Helvetica has no glyphs for', () => {
    expect(toPdfSafeText('東京 Привет עברית')).toBe('?? ?????? ?????');
  });

  it('strips accents that only exist outside Latin-1 and spells out ligatures', () => {
    expect(toPdfSafeText('Łódź Dvořák ﬁne Ａ')).toBe('Lódz Dvorák fine A');
  });

  it('drops control characters and soft hyphens and turns odd spaces into plain ones', () => {
    expect(toPdfSafeText('a\u0000b\u0007c\u0085d\u00ade\u2003f\tg\u200bh')).toBe('abcde f gh');
  });

  it('keeps line breaks only in multiline text, normalising CRLF', () => {
    expect(toPdfSafeText('one\r\ntwo\rthree\nfour', { multiline: true })).toBe(
      'one\ntwo\nthree\nfour',
    );
    expect(toPdfSafeText('one\r\ntwo')).toBe('one two');
  });

  it('never lets a character wider than one byte through', () => {
    const everything = Array.from({ length: 0x3000 }, (_, code) => String.fromCodePoint(code));

    const safe = toPdfSafeText(everything.join(''), { multiline: true });

    const allowed = new Set('ŒœŠšŸŽžƒˆ˜–—‘’‚“”„†‡•…‰‹›€™');
    for (const character of safe) {
      const code = character.codePointAt(0)!;
      expect(code <= 0xff || allowed.has(character)).toBe(true);
    }
  });
});
