import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leetSigns } from './injection.js';

/** leetSigns as one global search over the whole text reads them (the definition it must keep). */
function reference(text: string): number[] {
  const at: number[] = [];
  if (!/[a-z][0134578][a-z]|[0134578][a-z][0134578]/.test(text)) return at;
  const word = /(?<![a-z0-9@$])[a-z@$]{0,12}[0134578][a-z0-9@$]{1,16}/g;
  const stems =
    /^(?:ignor|disregard|forget|forgot|previous|prior|instruct|system|prompt|passw|send|forward|reveal|secret|overrid|bypass|admin|delet|transfer|exfil|rules|jailbr|assistant|credential|token)/;
  const leet: Record<string, string> = {
    '0': 'o',
    '1': 'i',
    '3': 'e',
    '4': 'a',
    '5': 's',
    '7': 't',
    '8': 'b',
    '@': 'a',
    $: 's',
  };
  for (let m = word.exec(text); m !== null && at.length < 64; m = word.exec(text)) {
    if (/[a-z]/.test(m[0]) && stems.test(m[0].replace(/[0134578@$]/g, (c) => leet[c] ?? c))) at.push(m.index);
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
      fc.property(fc.string({ unit, maxLength: 60 }), (text) => {
        expect(leetSigns(text)).toEqual(reference(text));
      }),
      {
        numRuns: 1000,
      },
    );
  });
});
