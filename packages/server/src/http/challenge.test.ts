import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { challengeText } from './challenge.js';

describe('challengeText', () => {
  it('keeps visible ASCII and blanks what would end the quoted string or break the header', () => {
    expect(challengeText('token algorithm EdDSA is not accepted')).toBe(
      'token algorithm EdDSA is not accepted',
    );
    expect(challengeText('alg "x\\y"')).toBe('alg  x y ');
    expect(challengeText('alg \x7fdDSA\u00e9\ufffd\n')).toBe('alg  dDSA   ');
  });

  it('always gives a value Node accepts in a header, of bounded length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const out = challengeText(text);
        expect(out.length).toBeLessThanOrEqual(200);
        expect(out).toMatch(/^[\x20-\x7e]*$/);
        expect(out).not.toMatch(/["\\]/);
      }),
    );
  });
});
