import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_JSON_LIMITS, JsonInputError, parseJsonStrict } from './strict-json.js';

function refusal(text: string, limits = DEFAULT_JSON_LIMITS): JsonInputError {
  try {
    parseJsonStrict(text, limits);
  } catch (err) {
    if (err instanceof JsonInputError) return err;
    throw err;
  }
  throw new Error('parsed');
}

describe('parseJsonStrict', () => {
  it.each([
    ['{"args":{"to":["x@evil.test"],"to":["bob@example.com"]}}', 'args.to'],
    ['{"args":{"amount":5000,"amount":5}}', 'args.amount'],
    ['{"resource":{"id":"orders_db.delete","id":"orders_db.query"}}', 'resource.id'],
    ['{"a":1,"\\u0061":2}', 'a'],
    ['[{"x":[1,{"k":1,"k":2}]}]', '[0].x[1].k'],
  ])('refuses duplicate keys: %s', (text, at) => {
    const err = refusal(text);
    expect(err.problem).toBe('duplicate-key');
    expect(err.at).toBe(at);
    expect(err.status).toBe(400);
    expect(err.code).toBe('GH_REQUEST_INVALID');
  });

  it('accepts the same key in sibling objects, and keys that only look alike', () => {
    expect(parseJsonStrict('[{"a":1},{"a":2},{"A":3,"a ":4,"a":5}]')).toEqual([
      { a: 1 },
      { a: 2 },
      { A: 3, 'a ': 4, a: 5 },
    ]);
    expect(parseJsonStrict('{"s":"a\\"b,\\\\","t":"{\\"s\\":1}"}')).toEqual({ s: 'a"b,\\', t: '{"s":1}' });
  });

  it('bounds size, depth, entries and strings before parsing', () => {
    const limits = { maxLength: 100, maxDepth: 3, maxEntries: 5, maxStringLength: 10 };
    expect(refusal('"'.padEnd(101, 'x'), limits).problem).toBe('too-large');
    expect(refusal('[[[[1]]]]', limits).problem).toBe('too-deep');
    expect(refusal('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}', limits).problem).toBe('too-many-entries');
    expect(refusal('[1,2,3,4,5,6]', limits).problem).toBe('too-many-entries');
    expect(refusal('{"k":"12345678901"}', limits).problem).toBe('too-large');
    expect(parseJsonStrict('{"a":[1,2],"b":{"c":"0123456789"}}', limits)).toEqual({
      a: [1, 2],
      b: { c: '0123456789' },
    });
  });

  it('refuses malformed JSON as malformed', () => {
    expect(refusal('{"a":').problem).toBe('malformed');
    expect(refusal('').problem).toBe('malformed');
  });

  it('parses any duplicate-free JSON exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonStrict(text, { ...DEFAULT_JSON_LIMITS, maxEntries: 1e6 })).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});
