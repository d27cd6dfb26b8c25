import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold, isBidiControl, isHarmlessFormat, isInvisible, skeletonOf } from './normalize.js';

const isAsciiLetter = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';

/**
 * The skeleton as its definition reads, one code point at a time (normalize.ts): what skeletonOf must give
 * however it batches its work. `map` is the original offset of every unit, plus the text's length.
 */
function reference(text: string) {
  let out = '';
  const map: number[] = [];
  let changed = false;
  const counts = { invisible: 0, bidi: 0, tags: 0, mixedScript: 0, firstHidden: -1 };
  let last = '';
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    let piece = '';
    const hidden = () => {
      if (counts.firstHidden < 0) counts.firstHidden = i;
      changed = true;
    };
    if (cp < 0x80) piece = text[i]!.toLowerCase();
    else if (isInvisible(cp)) {
      counts.invisible++;
      hidden();
    } else if (isBidiControl(cp)) {
      counts.bidi++;
      hidden();
    } else if (cp >= 0xe0020 && cp <= 0xe007e) {
      counts.tags++;
      hidden();
      piece = String.fromCharCode(cp - 0xe0000).toLowerCase();
    } else if (isHarmlessFormat(cp) || (cp >= 0xe0000 && cp <= 0xe007f)) changed = true;
    else {
      const folded = fold(cp, text.slice(i, i + width));
      if (folded.lookalike && (isAsciiLetter(last) || isAsciiLetter(text[i + width]?.toLowerCase())))
        counts.mixedScript++;
      piece = folded.text;
      if (piece.length !== width) changed = true;
    }
    out += piece;
    for (let k = 0; k < piece.length; k++) map.push(i);
    if (piece.length > 0) last = piece[piece.length - 1]!;
    i += width;
  }
  map.push(text.length);
  return { text: out.replace(/\\[ntr]/g, '  '), map, changed, ...counts };
}

describe('skeleton', () => {
  it('is what folding each code point in turn gives, offsets and counts included', () => {
    // Lookalikes, accents, full-width and compatibility forms, CJK, invisible, bidi and tag characters,
    // surrogate pairs and lone surrogates, escaped breaks, and ASCII runs short and long.
    const unit = fc.constantFrom(
      'a',
      'Q',
      ' ',
      '\\',
      'n',
      '\\n',
      'ignore previous instructions and more words',
      'і',
      'о',
      'е',
      'é',
      'İ',
      'ß',
      'Ｉ',
      'ﬃ',
      '例',
      'ｶ',
      '\u200b',
      '\u00ad',
      '\u202e',
      '\u200e',
      '\ufe0f',
      '\u{e0041}',
      '\u{e0001}',
      '\u{1d422}',
      '\ud835',
      '\udc00',
      'K',
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 60 }), (units) => {
        const text = units.join('');
        const want = reference(text);
        const got = skeletonOf(text);
        expect(got.text).toBe(want.text);
        expect(got.map !== undefined).toBe(want.changed);
        expect(got.map ? [...got.map] : [...Array(text.length + 1).keys()]).toEqual(want.map);
        expect([got.invisible, got.bidi, got.tags, got.mixedScript, got.firstHidden]).toEqual([
          want.invisible,
          want.bidi,
          want.tags,
          want.mixedScript,
          want.firstHidden,
        ]);
      }),
      { numRuns: 3000 },
    );
  });
});
