import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiteralScanner, startsOf } from './literal-scan.js';

/** Every start of `literal` in `text`, overlapping ones included. */
function naive(text: string, literal: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(literal); i >= 0; i = text.indexOf(literal, i + 1)) at.push(i);
  return at;
}

describe('LiteralScanner', () => {
  it('finds overlapping and nested literals, and CJK ones', () => {
    const scanner = new LiteralScanner(['he', 'she', 'his', 'hers', '忽略', '']);
    const found = scanner.scan('ushers said 忽略之前');
    expect(startsOf(found, 0)).toEqual([2]);
    expect(startsOf(found, 1)).toEqual([1]);
    expect(startsOf(found, 3)).toEqual([2]);
    expect(startsOf(found, 4)).toEqual([12]);
    expect(startsOf(found, 5)).toEqual([]);
    expect([...found.occurs]).toEqual([1, 1, 0, 1, 1, 0]);
  });

  it('reports only whether a literal occurs when its positions are not wanted', () => {
    const scanner = new LiteralScanner(['ab', 'b'], (i) => i === 1);
    const found = scanner.scan('abab');
    expect(startsOf(found, 0)).toEqual([]);
    expect(found.occurs[0]).toBe(1);
    expect(startsOf(found, 1)).toEqual([1, 3]);
  });

  it('keeps every occurrence when a text has more than its buffer first holds, and reads the next text afresh', () => {
    const scanner = new LiteralScanner(['ab', 'b', 'c']);
    const many = 'ab'.repeat(40_000);
    const found = scanner.scan(many);
    // A literal found this often comes as a typed array: the same offsets.
    expect(Array.from(startsOf(found, 0))).toEqual(naive(many, 'ab'));
    expect(Array.from(startsOf(found, 1))).toEqual(naive(many, 'b'));
    const next = scanner.scan('cab');
    expect(startsOf(next, 0)).toEqual([1]);
    expect(startsOf(next, 2)).toEqual([0]);
    // The first scan's lists are its own: the second did not write into them.
    expect(startsOf(found, 0)).toHaveLength(40_000);
  });

  it('agrees with indexOf on random texts and literals', () => {
    const letters = fc.string({
      unit: fc.constantFrom('a', 'b', 'c', 'é', '指'),
      maxLength: 6,
      minLength: 1,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(letters, { maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '指', ' '), maxLength: 200 }),
        (literals, text) => {
          const found = new LiteralScanner(literals).scan(text);
          literals.forEach((literal, i) => {
            expect(startsOf(found, i)).toEqual(naive(text, literal));
          });
        },
      ),
    );
  });
});
