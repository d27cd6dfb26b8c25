import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob } from '../policy/glob.js';
import { intersectScopes, narrowScopes, parseScope, patternWithin } from './scope.js';

describe('parseScope', () => {
  it('splits on spaces and drops empties and duplicates', () => {
    expect(parseScope('email.read  email.send email.read')).toEqual(['email.read', 'email.send']);
    expect(parseScope(undefined)).toEqual([]);
    expect(parseScope('')).toEqual([]);
  });
});

describe('patternWithin', () => {
  it.each([
    ['email.send', 'email.*', true],
    ['email.send', 'email.send', true],
    ['email.drafts.*', 'email.*', true],
    ['email.*', 'email.*', true],
    ['anything', '*', true],
    ['email.*', 'email.send', false],
    ['*', 'email.*', false],
    ['db.query', 'email.*', false],
    ['email*', 'email.*', false],
    ['e?ail.send', 'email.*', false],
  ])('%s within %s is %s', (inner, outer, expected) => {
    expect(patternWithin(inner, outer)).toBe(expected);
  });

  it('never claims containment that a tool name disproves', () => {
    const unit = fc.constantFrom('a', 'b', '.', '*');
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 6 }),
        fc.string({ unit, maxLength: 6 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 8 }),
        (inner, outer, name) => {
          if (patternWithin(inner, outer) && compileGlob(inner).test(name)) {
            expect(compileGlob(outer).test(name)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('narrowScopes', () => {
  const grants = ['email.*', 'db.query'];

  it('grants everything the agent may do when no scope is asked for', () => {
    expect(narrowScopes([], grants)).toEqual({ granted: grants, refused: [] });
  });

  it('grants a narrower request as asked', () => {
    expect(narrowScopes(['email.send'], grants)).toEqual({ granted: ['email.send'], refused: [] });
  });

  it('refuses the whole request when any scope lies outside the grants', () => {
    expect(narrowScopes(['email.send', 'db.delete', '*'], grants)).toEqual({
      granted: [],
      refused: ['db.delete', '*'],
    });
  });
});

describe('intersectScopes', () => {
  it('keeps only what both sides may do', () => {
    expect(intersectScopes(['email.*'], ['email.send', 'db.query'])).toEqual(['email.send']);
    expect(intersectScopes(['email.send', 'db.*'], ['email.*', 'db.query'])).toEqual([
      'email.send',
      'db.query',
    ]);
    expect(intersectScopes(['email.*'], ['db.*'])).toEqual([]);
  });

  it('never yields a scope that either side could not use', () => {
    const pattern = fc.constantFrom('email.*', 'email.send', 'email.read', 'db.*', 'db.query', '*', 'x.y');
    const names = ['email.send', 'email.read', 'email.delete', 'db.query', 'db.drop', 'x.y'];
    fc.assert(
      fc.property(
        fc.uniqueArray(pattern, { maxLength: 4 }),
        fc.uniqueArray(pattern, { maxLength: 4 }),
        (a, b) => {
          for (const scope of intersectScopes(a, b)) {
            for (const name of names) {
              if (!compileGlob(scope).test(name)) continue;
              expect(a.some((p) => compileGlob(p).test(name))).toBe(true);
              expect(b.some((p) => compileGlob(p).test(name))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
