import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PolicyCompileError } from '../errors.js';
import { checkPolicy } from './compile.js';
import { agents, catalog, policyWith } from './decide.fixture.js';
import { decide, quotaRulesFor } from './decide.js';
import { explain } from './explain.js';
import { runPolicyTests } from './test-runner.js';
import type { DecisionRequestInput } from './types.js';

const transfer = (amount: number, usage?: Record<string, number>): DecisionRequestInput => ({
  agent: 'assistant',
  tool: 'payments.transfer',
  args: { amount },
  ...(usage && { usage }),
});

const capped = {
  id: 'transfer-cap',
  match: { tools: ['payments.transfer'] },
  effect: 'deny',
  message: 'at most 3 transfers a day',
  quota: { max: 3, per: '1d' },
};

function errorsOf(rules: object[]): string[] {
  const { diagnostics } = checkPolicy({
    name: 't.yaml',
    text: stringify({ version: 1, tools: catalog, agents, rules }),
  });
  return diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
}

describe('quota rules: compile', () => {
  it('compiles a quota into its window', () => {
    const policy = policyWith([capped]);
    expect(policy.rules[0]?.quota).toEqual({ max: 3, per: '1d', windowMs: 86_400_000 });
  });

  it('refuses a quota on an allow rule, with require, or over a window outside 1m..30d', () => {
    expect(errorsOf([{ ...capped, effect: 'allow' }]).join()).toMatch(/'quota' but effect 'allow'/);
    expect(errorsOf([{ ...capped, require: { origin: { amount: ['user_input'] } } }]).join()).toMatch(
      /both 'quota' and 'require'/,
    );
    expect(errorsOf([{ ...capped, quota: { max: 3, per: '30s' } }]).join()).toMatch(/between 1m and 30d/);
    expect(errorsOf([{ ...capped, quota: { max: 3, per: '31d' } }]).join()).toMatch(/between 1m and 30d/);
    expect(errorsOf([{ ...capped, quota: { max: -1, per: '1d' } }]).length).toBeGreaterThan(0);
    expect(errorsOf([{ ...capped, quota: { max: 3 } }]).length).toBeGreaterThan(0);
  });

  it('does not count a quota rule without a condition as shadowing the rules beneath it', () => {
    const { diagnostics } = checkPolicy({
      name: 't.yaml',
      text: stringify({
        version: 1,
        tools: catalog,
        agents,
        rules: [
          capped,
          {
            id: 'big',
            match: { tools: ['payments.transfer'] },
            when: 'args.amount > 1000',
            effect: 'approve',
          },
        ],
      }),
    });
    expect(diagnostics.filter((d) => d.code === 'GH_POLICY_SHADOWED')).toEqual([]);
  });

  it('names the quota rules that cover an agent and tool, and none for a policy without quotas', () => {
    const policy = policyWith([capped, { id: 'plain', match: { tools: ['email.send'] }, effect: 'deny' }]);
    const assistant = policy.agents.get('assistant')!;
    expect(quotaRulesFor(policy, assistant, 'payments.transfer').map((r) => r.id)).toEqual(['transfer-cap']);
    expect(quotaRulesFor(policy, assistant, 'email.send')).toEqual([]);
    expect(quotaRulesFor(policyWith([]), assistant, 'payments.transfer')).toEqual([]);
  });
});

describe('quota rules: decide', () => {
  const policy = policyWith([capped]);

  it('allows below the quota and denies once the count reaches it', () => {
    const below = decide(policy, transfer(10, { 'transfer-cap': 2 }));
    expect(below.effect).toBe('allow');
    expect(below.quotas).toEqual(['transfer-cap']);
    const at = decide(policy, transfer(10, { 'transfer-cap': 3 }));
    expect(at).toMatchObject({ effect: 'deny', code: 'rule-deny' });
    expect(at.reasons[0]).toContain('3 of at most 3 per 1d already made');
    expect(decide(policy, transfer(10, { 'transfer-cap': 7 })).effect).toBe('deny');
  });

  it('fails closed when the request carries no count for a quota rule that selects it', () => {
    const d = decide(policy, transfer(10));
    expect(d.effect).toBe('deny');
    expect(d.errors[0]).toMatchObject({ rule: 'transfer-cap', counted: true });
    expect(d.reasons.join(' ')).toContain("no count of the agent's calls for quota rule 'transfer-cap'");
  });

  it('counts only where the condition holds: a quota for transfers over 100', () => {
    const big = policyWith([{ ...capped, when: 'args.amount > 100' }]);
    const small = decide(big, transfer(50, { 'transfer-cap': 9 }));
    expect(small.effect).toBe('allow');
    expect(small.quotas).toBeUndefined();
    expect(decide(big, transfer(500, { 'transfer-cap': 3 })).effect).toBe('deny');
    expect(decide(big, transfer(500, { 'transfer-cap': 2 })).quotas).toEqual(['transfer-cap']);
  });

  it('asks for approval past an approve quota', () => {
    const ask = policyWith([{ ...capped, effect: 'approve', message: 'past 3 a day, ask' }]);
    expect(decide(ask, transfer(10, { 'transfer-cap': 3 })).effect).toBe('approve');
    expect(decide(ask, transfer(10, { 'transfer-cap': 0 })).effect).toBe('allow');
  });

  it('a quota of 0 applies from the first call', () => {
    const none = policyWith([{ ...capped, quota: { max: 0, per: '1h' } }]);
    expect(decide(none, transfer(10, { 'transfer-cap': 0 })).effect).toBe('deny');
  });

  it('refuses a malformed usage', () => {
    const d = decide(policy, { ...transfer(10), usage: { 'transfer-cap': -1 } });
    expect(d).toMatchObject({ effect: 'deny', code: 'invalid-request' });
    expect(decide(policy, { ...transfer(10), usage: { 'transfer-cap': 1.5 } }).code).toBe('invalid-request');
  });

  it('explains where the agent stands and decides as decide does', () => {
    for (const count of [2, 3]) {
      const request = transfer(10, { 'transfer-cap': count });
      const explanation = explain(policy, request);
      expect(explanation.decision).toEqual(decide(policy, request));
      const trace = explanation.rules.find((r) => r.id === 'transfer-cap');
      expect(trace).toMatchObject({ stage: 'quota', applied: count >= 3 });
      expect(trace?.why).toContain(count >= 3 ? 'the quota is reached' : 'the quota is not reached');
    }
  });
});

describe('quota rules: policy tests', () => {
  it('a test may state usage; without it a test is one call in a fresh window', () => {
    const policy = policyWith([capped], {
      tests: [
        { name: 'fresh', request: { agent: 'assistant', tool: 'payments.transfer' }, expect: 'allow' },
        {
          name: 'spent',
          request: { agent: 'assistant', tool: 'payments.transfer', usage: { 'transfer-cap': 3 } },
          expect: 'deny',
          applies: ['transfer-cap'],
        },
      ],
    });
    expect(runPolicyTests(policy).map((r) => [r.name, r.passed])).toEqual([
      ['fresh', true],
      ['spent', true],
    ]);
  });

  it('a test usage count must be a whole number', () => {
    expect(() =>
      policyWith([capped], {
        tests: [
          {
            name: 'bad',
            request: { agent: 'assistant', tool: 'payments.transfer', usage: { 'transfer-cap': 'many' } },
            expect: 'deny',
          },
        ],
      }),
    ).toThrow(PolicyCompileError);
  });
});
