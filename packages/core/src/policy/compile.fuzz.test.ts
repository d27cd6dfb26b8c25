import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PolicyCompileError } from '../errors.js';
import { checkPolicy, compilePolicy } from './compile.js';

/** Whatever the text, the compiler answers with diagnostics, never with a crash. */
describe('compilePolicy: fuzz', () => {
  it('never throws from checkPolicy on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const { policy, diagnostics } = checkPolicy({ name: 'fuzz.yaml', text });
        if (!policy) expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
        for (const d of diagnostics) expect(d.file).toBe('fuzz.yaml');
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary YAML values shaped like a policy, and compilePolicy throws only PolicyCompileError', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    );
    const rule = fc.dictionary(
      fc.constantFrom('id', 'effect', 'when', 'match', 'approval', 'message', 'bogus'),
      value,
      { maxKeys: 5 },
    );
    const doc = fc.record(
      {
        version: fc.oneof(fc.constant(1), value),
        tools: fc.dictionary(
          fc.string({ maxLength: 10 }),
          fc.dictionary(fc.constantFrom('categories', 'labels', 'resource'), value, { maxKeys: 3 }),
          { maxKeys: 3 },
        ),
        rules: fc.array(rule, { maxLength: 4 }),
        tests: fc.array(fc.dictionary(fc.constantFrom('name', 'request', 'expect'), value, { maxKeys: 3 }), {
          maxLength: 2,
        }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(doc, (d) => {
        const text = stringify(d);
        checkPolicy({ name: 'fuzz.yaml', text });
        try {
          compilePolicy({ name: 'fuzz.yaml', text });
        } catch (err) {
          expect(err).toBeInstanceOf(PolicyCompileError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('answers CEL conditions of arbitrary text with a diagnostic or a policy', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (when) => {
        const text = stringify({ version: 1, rules: [{ id: 'r', effect: 'deny', when }] });
        const { policy, diagnostics } = checkPolicy({ name: 'fuzz.yaml', text });
        expect(policy !== undefined || diagnostics.length > 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
