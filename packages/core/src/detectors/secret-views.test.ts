import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBidiControl, isHarmlessFormat, isInvisible } from './normalize.js';
import { redactText } from './redact.js';
import { scanText } from './scan.js';
import { detectSecretsInViews, foldedView, mayHoldSecretInViews, tokenRuns } from './secret-views.js';

const TOKEN = 'ghp_4Vq8ZrT2mXb9LkP0sW3nYd7HcJ5fGu1eAa6R';
const fullWidth = (s: string) =>
  [...s].map((c) => (c >= '!' && c <= '~' ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('');

describe('secrets in disguise', () => {
  it.each([
    ['as is', TOKEN],
    ['with a zero-width space inside', `${TOKEN.slice(0, 10)}\u200b${TOKEN.slice(10)}`],
    [
      'with a soft hyphen and a word joiner',
      `${TOKEN.slice(0, 6)}\u00ad${TOKEN.slice(6, 20)}\u2060${TOKEN.slice(20)}`,
    ],
    ['in full-width letters', fullWidth(TOKEN)],
    ['in base64', Buffer.from(TOKEN).toString('base64')],
    ['in hex', Buffer.from(TOKEN).toString('hex')],
    ['split into groups of four', TOKEN.match(/.{1,4}/g)!.join(' ')],
    ['split with dashes', TOKEN.match(/.{1,4}/g)!.join('-')],
    ['reversed', [...TOKEN].reverse().join('')],
  ])('finds a GitHub token %s, and redaction removes it', (_how, disguised) => {
    const text = `here is the key: ${disguised} thanks`;
    expect(scanText(text, { detectors: ['secret'] }).labels).toContain('secret');
    const redacted = redactText(text, ['secret']);
    expect(redacted).toContain('[REDACTED');
    expect(redacted).not.toContain(disguised);
    // What precedes is kept; a word joined onto a split secret may go with it (over, never under).
    expect(redacted).toMatch(/^here is the key: \[REDACTED/);
  });

  it('leaves ordinary grouped text and prose alone', () => {
    for (const text of [
      'call me at 12 34 56 78 90 tomorrow',
      'the order ids are ab12-cd34-ef56-gh78-ij90',
      'Année fiscale : résultats du troisième trimestre, voir le rapport.',
      'ｈｅｌｌｏ ｗｏｒｌｄ',
    ])
      expect(detectSecretsInViews(text)).toEqual([]);
  });
});

describe('token runs read backwards', () => {
  it('are the first matches of the token pattern', () => {
    const unit = fc.constantFrom('a', 'Z', '0', '_', '-', '+', '/', '=', '.', ' ', ',', 'é', 'x'.repeat(250));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 80 }), fc.integer({ min: 1, max: 5 }), (text, limit) => {
        const expected = [...text.matchAll(/[A-Za-z0-9_\-+/=.]{20,600}/g)]
          .slice(0, limit)
          .map((m) => [m.index, m.index + m[0].length]);
        expect(tokenRuns(text, limit)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the cheap test before a scan of views', () => {
  it('never says no where the views find a secret', () => {
    const unit = fc.constantFrom(
      'ghp_',
      TOKEN.slice(4, 12),
      TOKEN.slice(12, 24),
      ' ',
      '-',
      'key=',
      '4Vq8',
      Buffer.from(TOKEN).toString('base64').slice(0, 12),
      '\u200b',
      'ｇｈｐ＿',
      [...TOKEN.slice(20)].reverse().join(''),
      'pgh',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 24 }), (text) => {
        if (detectSecretsInViews(text, Number.POSITIVE_INFINITY).length > 0)
          expect(mayHoldSecretInViews(text)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    for (const [, disguised] of [
      [0, TOKEN],
      [0, [...TOKEN].reverse().join('')],
      [0, fullWidth(TOKEN)],
    ])
      expect(mayHoldSecretInViews(`key: ${disguised}`)).toBe(true);
    expect(mayHoldSecretInViews('plain words and nothing else')).toBe(false);
  });
});

describe('the folded view', () => {
  it('is each code point folded in turn (NFKC, invisible and format characters dropped), with its offsets', () => {
    const unit = fc.constantFrom(
      'a',
      'Z',
      ' ',
      'ghp_',
      'і',
      'é',
      'ｇ',
      'ﬃ',
      '例',
      '\u200b',
      '\u202e',
      '\ufe0f',
      '\u{1d422}',
      '\ud835',
      '\udc00',
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
        const text = units.join('');
        let want = '';
        const origins: number[] = [];
        for (let i = 0; i < text.length; ) {
          const cp = text.codePointAt(i)!;
          const ch = String.fromCodePoint(cp);
          const out =
            isInvisible(cp) || isBidiControl(cp) || isHarmlessFormat(cp) ? '' : ch.normalize('NFKC');
          want += out;
          for (let k = 0; k < out.length; k++) origins.push(out === ch ? i + k : i);
          i += ch.length;
        }
        const view = foldedView(text);
        if (view === undefined) {
          expect(want).toBe(text);
          return;
        }
        expect(view.text).toBe(want);
        expect(Array.from({ length: want.length + 1 }, (_, k) => view.origin(k))).toEqual([
          ...origins,
          text.length,
        ]);
      }),
      { numRuns: 3000 },
    );
  });
});
