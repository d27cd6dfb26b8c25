import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalAuditText, wellFormed } from './canonical-event.js';

/** What sealing did before the specialised serializer: the general path, well-formed on refusal. */
function reference(body: unknown): string | undefined {
  try {
    return canonicalize(body);
  } catch {
    return canonicalize(wellFormed(body));
  }
}

// Any UTF-16 code unit, lone surrogates included: agents send such JSON.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const text = fc.oneof(fc.string(), fc.string({ unit: codeUnit }), fc.string({ unit: 'grapheme' }));
const json = fc.jsonValue({ maxDepth: 3 });
const agentValue = fc.oneof(
  json,
  fc.dictionary(text, fc.oneof(json, text), { maxKeys: 4 }),
  fc.array(fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 4 }),
);
/** Sometimes a member the shape does not know, or a value of a type it does not expect. */
const extra = fc.option(fc.dictionary(text, json, { minKeys: 1, maxKeys: 2 }), { freq: 4 });
const hex64 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

const event = fc
  .record({
    type: fc.constantFrom('decision', 'execution', 'approval', 'token', 'agent', 'policy', 'alert', 'admin'),
    time: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    id: text,
    seq: fc.nat(),
    prev_hash: hex64,
    who: fc.record(
      {
        agent: fc.record({ id: text, name: optional(text), owner: optional(text) }),
        user: optional(fc.dictionary(text, json, { maxKeys: 3 })),
        person: optional(text),
        delegation: optional(fc.array(text, { maxLength: 3 })),
      },
      { requiredKeys: [] },
    ),
    what: fc.record(
      {
        tool: text,
        args: agentValue,
        args_hash: hex64,
        resource: optional(fc.dictionary(text, json, { maxKeys: 3 })),
        action: text,
        output: agentValue,
      },
      { requiredKeys: [] },
    ),
    where: optional(
      fc.record({ node: text, door: text, upstream: optional(text), endpoint: optional(text) }),
    ),
    why: optional(
      fc.record(
        {
          reasoning: text,
          intent: text,
          rules: fc.array(fc.record({ id: text, effect: text, message: text }), { maxLength: 3 }),
          reasons: fc.array(text, { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
    ),
    outcome: fc.record(
      {
        status: text,
        code: text,
        detail: text,
        duration_ms: fc.oneof(fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true })),
      },
      { requiredKeys: ['status'] },
    ),
    session_id: optional(text),
    trace_id: optional(text),
    decision_id: optional(text),
    approval_id: optional(text),
  })
  .chain((body) =>
    fc.record({
      body: fc.constant(body),
      top: extra,
      agentExtra: extra,
      whatTool: fc.option(json, { freq: 6 }),
    }),
  )
  .map(({ body, top, agentExtra, whatTool }) => ({
    ...body,
    ...top,
    who: {
      ...body.who,
      ...(body.who.agent && agentExtra && { agent: { ...body.who.agent, ...agentExtra } }),
    },
    what: { ...body.what, ...(whatTool !== null && { tool: whatTool }) },
  }));

describe('the canonical form of an audit event', () => {
  it('orders the keys of objects of every size as RFC 8785 does', () => {
    // Objects below and above the size up to which keys are sorted by insertion.
    const wide = fc.dictionary(text, fc.oneof(text, fc.integer()), { minKeys: 2, maxKeys: 60 });
    fc.assert(
      fc.property(wide, wide, (args, output) => {
        const body = { type: 'decision', what: { tool: 'files.read', args, output } };
        expect(canonicalAuditText(body)).toBe(reference(body));
      }),
      { numRuns: 500 },
    );
  });

  it('is byte for byte what the general RFC 8785 path gives, on random events', () => {
    fc.assert(
      fc.property(event, (body) => {
        expect(canonicalAuditText(body)).toBe(reference(body));
      }),
      { numRuns: 3000 },
    );
  });

  it('replaces lone surrogates with U+FFFD in known members and agent values alike', () => {
    const body = { type: 'decision', id: 'evt_\ud800', seq: 1, what: { args: { '\udc00k': 'v\ud83d' } } };
    expect(canonicalAuditText(body)).toBe(
      '{"id":"evt_\ufffd","seq":1,"type":"decision","what":{"args":{"\ufffdk":"v\ufffd"}}}',
    );
  });

  it('refuses a number RFC 8785 cannot write, wherever it is', () => {
    expect(() => canonicalAuditText({ seq: Number.NaN })).toThrow();
    expect(() => canonicalAuditText({ what: { args: { amount: Number.POSITIVE_INFINITY } } })).toThrow();
  });

  it('sorts keys V8 enumerates out of RFC 8785 order: array indexes, __proto__, toJSON values', () => {
    const args = JSON.parse('{"b":1,"10":2,"9":3,"__proto__":{"z":1,"a":2},"a":{"2":0,"10":1}}');
    const body = { type: 'decision', seq: 1, what: { args, output: { at: new Date(0), n: 1 } } };
    expect(canonicalAuditText(body)).toBe(reference(body));
    expect(canonicalAuditText(body)).toContain(
      '"args":{"10":2,"9":3,"__proto__":{"a":2,"z":1},"a":{"10":1,"2":0},"b":1}',
    );
  });

  it('hands an object with a member it does not know to the general path whole', () => {
    const body = { who: { agent: { id: 'a', status: 'active', grants: ['x'] } }, zeta: 1, alpha: [2] };
    expect(canonicalAuditText(body)).toBe(canonicalize(body));
  });
});
