import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compilePolicy } from './compile.js';
import { decide } from './decide.js';
import { explain } from './explain.js';
import { compileGlob } from './glob.js';
import type { CompiledPolicy, DecisionRequestInput, Effect } from './types.js';

/**
 * Invariants of the PDP over generated policies and requests. The pools are
 * small on purpose so that generated rules often select generated requests.
 */

const CATALOG = {
  'email.read': { categories: ['read'], labels: ['untrusted'] },
  'email.send': { categories: ['external_communication'] },
  'db.query': { categories: ['read'], resource: { env: 'production' } },
  'db.delete': { categories: ['delete'], resource: { env: 'production' } },
  'tmp.delete': { categories: ['delete', 'write'], resource: { env: 'staging' } },
  'pay.transfer': { categories: ['financial'] },
};
const TOOLS = Object.keys(CATALOG);
const AGENTS = ['alpha', 'beta', 'gamma'];
const TOOL_GLOBS = ['*', 'email.*', 'db.*', '*.delete', 'email.send', 'pay.transfer', 'd?.query'];
const CATEGORIES = ['read', 'write', 'delete', 'external_communication', 'financial'];
const LABELS = ['untrusted', 'pii', 'secret'];
const CONDITIONS = [
  'true',
  'args.amount > 100',
  'resource.env == "production"',
  '"untrusted" in provenance["to"]',
  'session.labels.exists(l, l == "pii")',
  'has(context.flag) && context.flag',
  'args.missing.deeper == 1', // always errors: exercises fail-closed
  'agent.name.startsWith("a")',
];

const subset = <T>(pool: readonly T[]) => fc.subarray([...pool], { minLength: 1 });

const ruleArb = fc.record(
  {
    effect: fc.constantFrom<Effect>('allow', 'deny', 'approve'),
    match: fc.record(
      {
        agents: subset(['alpha', 'b*', 'gamma']),
        tools: subset(TOOL_GLOBS),
        categories: subset(CATEGORIES),
        labels: subset(LABELS),
      },
      { requiredKeys: [] },
    ),
    when: fc.constantFrom(...CONDITIONS),
  },
  { requiredKeys: ['effect', 'match'] },
);

const grantsArb = subset(['email.*', 'db.*', 'tmp.delete', 'pay.transfer', '*']);

const policyArb = fc.record({
  rules: fc.array(ruleArb, { maxLength: 8 }),
  grants: fc.tuple(grantsArb, grantsArb, grantsArb),
  statuses: fc.tuple(...AGENTS.map(() => fc.constantFrom('active', 'active', 'active', 'suspended'))),
});

interface PolicySpec {
  rules: Record<string, unknown>[];
  grants: string[][];
  statuses: string[];
}

function build(spec: PolicySpec, extraRules: object[] = []): CompiledPolicy {
  const agents = Object.fromEntries(
    AGENTS.map((name, i) => [
      name,
      { owner: `${name}@example.com`, grants: spec.grants[i], status: spec.statuses[i] },
    ]),
  );
  const rules = [...spec.rules, ...extraRules].map((rule, i) => ({ id: `r${i}`, ...rule }));
  return compilePolicy({ name: 'gen.yaml', text: stringify({ version: 1, tools: CATALOG, agents, rules }) });
}

const requestArb: fc.Arbitrary<DecisionRequestInput> = fc
  .record(
    {
      agent: fc.constantFrom(...AGENTS, 'nobody'),
      tool: fc.constantFrom(...TOOLS, 'unknown.tool'),
      args: fc.record(
        {
          amount: fc.double({ min: -10, max: 1e4, noNaN: true }),
          to: fc.array(fc.emailAddress(), { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
      session: fc.record({ labels: fc.subarray(LABELS) }),
      provenance: fc.option(fc.constant({ 'to[0]': ['untrusted'] }), { nil: undefined }),
      context: fc.record({ flag: fc.boolean() }, { requiredKeys: [] }),
    },
    { requiredKeys: ['agent', 'tool', 'args', 'session', 'context'] },
  )
  .map((r) => ({ ...r, now: new Date('2026-06-01T12:00:00Z') }));

const RANK: Record<Effect, number> = { allow: 0, approve: 1, deny: 2 };
const RUNS = { numRuns: 300 };

describe('decide: properties', () => {
  it('adding a deny rule never makes a decision more permissive (deny never turns into allow)', () => {
    fc.assert(
      fc.property(
        policyArb,
        ruleArb,
        fc.array(requestArb, { minLength: 1, maxLength: 5 }),
        (spec, extra, requests) => {
          const before = build(spec);
          const after = build(spec, [{ ...extra, effect: 'deny' }]);
          for (const request of requests) {
            expect(RANK[decide(after, request).effect]).toBeGreaterThanOrEqual(
              RANK[decide(before, request).effect],
            );
          }
        },
      ),
      RUNS,
    );
  });

  it('is deterministic: the same policy text and request give the same decision', () => {
    fc.assert(
      fc.property(policyArb, requestArb, (spec, request) => {
        const a = build(spec);
        const b = build(spec);
        expect(decide(b, request)).toEqual(decide(a, request));
        expect(decide(a, request)).toEqual(decide(a, request));
      }),
      RUNS,
    );
  });

  it('the indexed decision equals the full scan that explain performs', () => {
    fc.assert(
      fc.property(policyArb, requestArb, (spec, request) => {
        const policy = build(spec);
        const decision = decide(policy, request);
        const explanation = explain(policy, request);
        expect(explanation.decision).toEqual(decision);
        expect(explanation.rules.filter((t) => t.applied).map((t) => t.id)).toEqual(
          decision.rules.map((r) => r.id),
        );
      }),
      RUNS,
    );
  });

  it('never throws and never allows a malformed request', () => {
    const policy = build({
      rules: [],
      grants: [['*'], ['*'], ['*']],
      statuses: ['active', 'active', 'active'],
    });
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        const d = decide(policy, junk as DecisionRequestInput);
        expect(['allow', 'deny', 'approve']).toContain(d.effect);
        if (d.effect === 'allow') {
          expect(junk).toMatchObject({ tool: expect.any(String) });
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('errors only ever make a decision stricter than dropping the erroring rule would', () => {
    fc.assert(
      fc.property(policyArb, requestArb, (spec, request) => {
        const withErrors = build(spec);
        const d = decide(withErrors, request);
        const counted = new Set(d.errors.filter((e) => e.counted).map((e) => e.rule));
        const without = build({ ...spec, rules: spec.rules.filter((_, i) => !counted.has(`r${i}`)) });
        expect(RANK[d.effect]).toBeGreaterThanOrEqual(RANK[decide(without, request).effect]);
      }),
      RUNS,
    );
  });
});

describe('compileGlob: properties', () => {
  const alphabet = fc.constantFrom('a', 'b', '.', '*', '?');
  const nameAlphabet = fc.constantFrom('a', 'b', '.');

  it('agrees with a reference regular expression', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: nameAlphabet, maxLength: 10 }),
        (pattern, name) => {
          const reference = new RegExp(
            `^${pattern.replace(/\./g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
            's',
          );
          expect(compileGlob(pattern).test(name)).toBe(reference.test(name));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('matches a many-star pattern against a long name in linear-ish time', () => {
    const started = performance.now();
    const glob = compileGlob(`${'*a'.repeat(20)}*b`);
    expect(glob.test('a'.repeat(5000))).toBe(false);
    // A backtracking regex takes far longer than this; the bound is generous.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
