import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldedView } from './secret-views.js';
import { SECRET_FORMATS } from './secrets.js';
import {
  startsCaseless,
  stickyOf,
  type Trigger,
  TriggeredMatches,
  TriggerIndex,
  TriggerText,
} from './triggered-exec.js';

/** Every match of a global pattern, as repeated exec gives them. */
function plain(pattern: RegExp, text: string): [number, string][] {
  const out: [number, string][] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    out.push([m.index, m[0]]);
    if (m[0].length === 0) pattern.lastIndex++;
  }
  return out;
}

function triggered(pattern: RegExp, trigger: Trigger, text: string): [number, string][] {
  const source = new TriggerText(text, new TriggerIndex([trigger]));
  const matches = new TriggeredMatches(stickyOf(pattern), source, trigger);
  const out: [number, string][] = [];
  for (let m = matches.exec(); m !== null; m = matches.exec()) out.push([m.index, m[0]]);
  return out;
}

// Patterns whose every match holds the trigger within `reach` of its start, as the detectors' formats do, each
// with pieces of text that make matches, near misses and overlaps likely.
const CASES: [string, RegExp, Trigger, string[]][] = [
  [
    'a prefix',
    /(?<![a-z0-9_-])(sk-[a-z0-9_-]{4,12})(?![a-z0-9_-])/g,
    { literals: ['sk-'], reach: 0 },
    ['sk-', 'a', 'k', '-', '_', '1', ' ', 'ask-', 'sk--', 'SK-', 'Sk-'],
  ],
  [
    'a scheme before ://',
    /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,10}:([^\s@/]{3,20})@[a-z]{1,10}/gi,
    { literals: ['://'], caseless: true, reach: 21, lead: '[A-Za-z0-9+.-]' },
    ['postgres', 'HTTP', 'abcdefghij', 'x', '+', '://', 'user', ':', 'pw1', '@', 'host', ' ', '/'],
  ],
  [
    'a key name',
    /(?<![a-z0-9])(?:api[_-]?key|token|secret)["']?\s{0,3}[:=]\s{0,3}([a-z0-9]{4,20})/gi,
    { literals: ['key', 'token', 'secret'], caseless: true, reach: 4, lead: '[A-Za-z_-]' },
    ['api', 'api_key', 'APIkey', '_', '-', 'key', 'token', 'secret', '=', ':', ' ', '"', 'abc1', 'x'],
  ],
  [
    'a colon after up to four digits',
    /(?<![\w:])([0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})(?![\w:])/g,
    { literals: [':'], reach: 4, lead: '[0-9a-f]' },
    ['fe80', ':', '::', '1', 'ab', 'g', ' ', '12345'],
  ],
];

describe('TriggeredMatches', () => {
  it.each(CASES)('gives the matches repeated exec gives, for %s', (_name, pattern, trigger, units) => {
    const text = fc.string({ unit: fc.constantFrom(...units), maxLength: 40 });
    fc.assert(
      fc.property(text, (t) => {
        expect(triggered(pattern, trigger, t)).toEqual(plain(pattern, t));
      }),
      { numRuns: 1000 },
    );
  });

  it('misses matches when the reach is shorter than the pattern needs (the property can fail)', () => {
    const [, pattern, trigger] = CASES[1]!;
    const text = 'x postgres://user:pw1@host';
    expect(triggered(pattern, { ...trigger, reach: 5 }, text)).not.toEqual(plain(pattern, text));
    expect(triggered(pattern, trigger, text)).toEqual(plain(pattern, text));
  });

  it('finds the same literals on a text made of triggers, past the search budget', () => {
    const trigger: Trigger = { literals: ['sk-', 'key'], caseless: true, reach: 0 };
    const index = new TriggerIndex([trigger]);
    const text = `${'sk-KEY '.repeat(3000)}ask-`;
    const expected = [...text.matchAll(/sk-|key/gi)].map((m) => m.index);
    expect(new TriggerText(text, index).occurrences(trigger)).toEqual(expected);
  });

  it('finds the literals in any case, and none in a text without them', () => {
    const trigger: Trigger = { literals: ['sk-'], reach: 0 };
    const index = new TriggerIndex([trigger]);
    expect(new TriggerText('ask-me, SK-1', index).occurrences(trigger)).toEqual([1]);
    expect(new TriggerText('a long text with no such prefix', index).any).toBe(false);
    expect(new TriggerText('ASK-ME', index).occurrences(trigger)).toEqual([]);
    expect(index.occursIn('ask-me')).toBe(true);
    expect(index.occursIn('SK-1')).toBe(true);
  });
});

describe('a literal at a position, in any case', () => {
  it('is what lower-casing the slice there says', () => {
    // Units whose lower case is longer (İ) or ASCII (the Kelvin sign), near the end of the text too.
    const unit = fc.constantFrom('s', 'S', 'k', 'K', '-', 'e', 'y', 'İ', '\u212a', 'é', ' ');
    const literal = fc.constantFrom('sk-', 'key', 'sk-key', 'k', 'i\u0307');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), literal, fc.nat(12), (text, lower, at) => {
        expect(startsCaseless(text, at, lower)).toBe(
          text.slice(at, at + lower.length).toLowerCase() === lower,
        );
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the trigger literals of a view', () => {
  const index = new TriggerIndex(SECRET_FORMATS.map((f) => f.trigger));
  /** Each literal's offsets, a list per id (empty for none). */
  const lists = (found: readonly (ArrayLike<number> | undefined)[]) =>
    Array.from({ length: 32 }, (_, id) => Array.from(found[id] ?? []));

  it('are those a search of the whole view finds, when the view copies its text but where folding changed it', () => {
    // Literals, whole and in parts that a dropped zero-width space joins in the view (`tok` and `en`: `token`).
    const literals =
      'sk- sk-ant- key KEY Token aws AKIA ghp_ eyJ :// passw github_pat_ tok en ant- pass w github_ pat_';
    // Units that folding changes (full-width letters, the Kelvin sign, zero-width, a ligature) and others.
    const others = 'ｋ ｅｙ \u212a \u200b \u2060 ﬁ İ é e y s k - _ : /';
    // Filler longer than any literal: changes far apart, each read in a window of its own.
    const unit = fc.constantFrom(...literals.split(' '), ...others.split(' '), ' ', 'x'.repeat(40));
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40, size: 'max' }), (units) => {
        const text = units.join('');
        const view = foldedView(text);
        if (view === undefined) return;
        expect(lists(index.findInView(view.text, index.find(text), view.copies))).toEqual(
          lists(index.find(view.text)),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('include a literal that the view joins across a dropped character, far from any other change', () => {
    const filler = 'x'.repeat(100);
    for (const joined of ['tok\u200ben', 'to\u200bken', 'github_\u2060pat_']) {
      const text = `${filler}${joined}${filler}`;
      const view = foldedView(text)!;
      expect(lists(index.findInView(view.text, index.find(text), view.copies))).toEqual(
        lists(index.find(view.text)),
      );
    }
  });

  it('are read whole from the view past the search budget, as a search of it does', () => {
    const text = `${'key token '.repeat(1200)}ｋｅｙ`;
    const view = foldedView(text)!;
    expect(lists(index.findInView(view.text, index.find(text), view.copies))).toEqual(
      lists(index.find(view.text)),
    );
  });
});
