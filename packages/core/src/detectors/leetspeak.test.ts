import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEET_HINT, LEET_STEMS, LEET_WORD, leetSigns, unleet } from './leetspeak.js';

/** leetSigns as one global search over the whole text reads them (the definition it must keep). */
function reference(text: string): number[] {
  const at: number[] = [];
  if (!LEET_HINT.test(text)) return at;
  const word = new RegExp(LEET_WORD.source, 'g');
  for (let m = word.exec(text); m !== null && at.length < 64; m = word.exec(text)) {
    if (/[a-z]/.test(m[0]) && LEET_STEMS.test(unleet(m[0]))) at.push(m.index);
  }
  return at;
}

describe('leetspeak signs', () => {
  it('are where one search over the whole text finds them', () => {
    const unit = fc.constantFrom(
      '1gn0r3',
      'pr3v10u5',
      's3nd',
      'a',
      'e',
      '3',
      '0',
      '1',
      '2',
      '@',
      '$',
      ' ',
      '.',
      'x',
      'abcdefghijklm',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60, size: 'max' }), (text) => {
        expect(leetSigns(text)).toEqual(reference(text));
      }),
      {
        numRuns: 1000,
      },
    );
  });
});
