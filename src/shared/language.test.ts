import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { primaryLanguage } from './language.js';

describe('primaryLanguage', () => {
  it.each([
    ['de-CH,de;q=0.9,en;q=0.8', 'de'],
    ['en-US,en;q=0.9', 'en'],
    ['fr', 'fr'],
    ['ZH-Hant-TW', 'zh'],
    ['en;q=0.5, es;q=0.9, *;q=0.1', 'es'],
    ['en;q=0.8,ja;q=0.8', 'en'],
    ['*, pt-BR;q=0.7', 'pt'],
    ['i-klingon, x-pig-latin, nl;q=0.3', 'nl'],
    ['de;q=0, it', 'it'],
    ['es ; q = 0.4 , ca ; q = 0.6', 'ca'],
    ['fil-PH', 'fil'],
    ['en;q=2, sv;q=0.2', 'sv'],
    ['en;q=abc, fi;q=0.1', 'fi'],
  ])('%j → %j', (header, expected) => {
    expect(primaryLanguage(header)).toBe(expected);
  });

  it.each([undefined, '', '*', 'de;q=0', ';;;', ',,,', '123', 'english'])('%j → null', (header) => {
    expect(primaryLanguage(header)).toBeNull();
  });

  it('reads only the first 256 characters and drops an entry cut by that limit', () => {
    const filler = Array.from({ length: 60 }, () => 'xx;q=0.1').join(',');
    expect(primaryLanguage(`${filler},ru;q=0.9`)).toBe('xx');
    const cut = `${'a'.repeat(250)},de;q=0.1,en`;
    expect(primaryLanguage(cut)).toBeNull();
  });

  it('answers a lower-case 2–3 letter subtag or null for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (header) => {
        const language = primaryLanguage(header);
        expect(language === null || /^[a-z]{2,3}$/.test(language)).toBe(true);
      }),
    );
  });
});
