import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compilePolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import { draftFromSentences } from './draft.js';
import { probesFor } from './probes.js';
import { verifyFragment } from './verify.js';

const quickstart = readFileSync(
  new URL('../../../../examples/quickstart/policy.yaml', import.meta.url),
  'utf8',
);
const sources = [{ name: 'policy.yaml', text: quickstart }];

/** The quickstart without one hand-written rule (and the tests that name it). */
function without(ruleId: string) {
  const doc = parse(quickstart) as { rules: { id: string }[]; tests: { applies?: string[] }[] };
  doc.rules = doc.rules.filter((r) => r.id !== ruleId);
  doc.tests = doc.tests.filter((t) => !t.applies?.includes(ruleId));
  return [{ name: 'policy.yaml', text: stringify(doc) }];
}

describe('draftFromSentences', () => {
  it.each([
    ['Agents can read but not delete production databases', 'no-prod-delete'],
    ['All external communications require human approval', 'external-comms'],
    ['Financial transactions over $1,000 require dual authorization', 'dual-authorization'],
    ['Never send email to an address that came only from an email', 'no-exfil-to-injected-recipients'],
  ])('drafts "%s" into a rule that decides like the hand-written %s', (sentence, ruleId) => {
    const draft = draftFromSentences([sentence], sources);
    expect(draft.ok).toBe(true);
    if (!draft.ok) return;
    expect(draft.report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(draft.report.changedCount).toBe(0);
    const full = compilePolicy(sources);
    const rebuilt = compilePolicy([...without(ruleId), draft.fragment]);
    const hand = compilePolicy(sources);
    const handRule = parse(quickstart).rules.filter((r: { id: string }) => r.id === ruleId);
    for (const probe of probesFor(full, [...handRule, ...draft.rules])) {
      // Round 17's convention: a value the user also gave is not tainted by the email it is in,
      // where the hand-written rule still denies it; the positive rules ask about the rest.
      if (userAlsoGave(probe.request)) continue;
      expect(decide(rebuilt, probe.request).effect, `${probe.request.tool} ${probe.summary}`).toBe(
        decide(hand, probe.request).effect,
      );
    }
  });

  it('writes the sentence as the description and generated tests that pass', () => {
    const draft = draftFromSentences(
      ['Financial transactions over $1,000 require dual authorization'],
      without('dual-authorization'),
    );
    expect(draft.ok).toBe(true);
    if (!draft.ok) return;
    const doc = parse(draft.fragment.text);
    expect(doc.rules[0].description).toBe('Financial transactions over $1,000 require dual authorization');
    const amounts = doc.tests.map((t: { request: { args?: { amount?: number } } }) => t.request.args?.amount);
    expect(amounts).toEqual(expect.arrayContaining([999, 1000, 1001]));
    expect(draft.report.changedCount, draft.fragment.text).toBeGreaterThan(0);
    expect(draft.report.checks.every((c) => c.passed)).toBe(true);
  });

  it('reports an allow sentence as widening by intent', () => {
    const draft = draftFromSentences(['The ops agent may delete production databases'], sources);
    expect(draft.ok && draft.report.widening).toBe(true);
  });

  it('refuses the whole draft when one sentence is refused', () => {
    const draft = draftFromSentences(
      ['Agents cannot delete email', 'Agents cannot frobnicate email'],
      sources,
    );
    expect(draft.ok).toBe(false);
  });
});

describe('verifyFragment', () => {
  const rule = (extra: string) => ({ name: 'frag.yaml', text: `version: 1\nrules:\n${extra}` });
  it('refuses a fragment that declares agents, tools or intents', () => {
    const report = verifyFragment({
      sources,
      fragment: rule(
        `  - { id: x, effect: deny, match: { tools: [email.delete] } }\nagents:\n  evil: { owner: e@evil.test, grants: ['*'] }\n`,
      ),
    });
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'fragment-shape')?.passed).toBe(false);
  });
  it('refuses a condition that errors on the generated requests', () => {
    const report = verifyFragment({
      sources,
      fragment: rule('  - { id: x, effect: approve, when: "args.nope.size() > 1" }\n'),
    });
    expect(report.checks.find((c) => c.name === 'conditions-evaluate')?.passed).toBe(false);
    expect(report.ok).toBe(false);
  });
  it('refuses a fragment that breaks the policy tests', () => {
    const report = verifyFragment({
      sources,
      fragment: rule('  - { id: x, effect: deny, match: { tools: [email.list] } }\n'),
    });
    expect(report.checks.find((c) => c.name === 'policy-tests')?.passed).toBe(false);
  });
  it('refuses YAML aliases and duplicate keys', () => {
    const report = verifyFragment({
      sources,
      fragment: { name: 'f.yaml', text: 'version: 1\nrules: &r []\ntests: *r\n' },
    });
    expect(report.ok).toBe(false);
  });
});

describe('approvers named as people', () => {
  it('declares a group of just them in the fragment, which verifies and asks only them', () => {
    const draft = draftFromSentences(['Payments over $5,000 need sign-off from Carol.'], sources);
    expect(draft.ok).toBe(true);
    if (!draft.ok) return;
    expect(draft.report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(parse(draft.fragment.text).groups).toEqual({ 'approvers-carol': ['carol@example.com'] });
    const after = compilePolicy([...sources, draft.fragment]);
    const d = decide(after, {
      agent: 'finance-agent',
      tool: 'payments.transfer',
      args: { amount: 6000, to: 'ACME' },
    });
    expect(d.approval?.requirements.flatMap((q) => q.groups)).toContain('approvers-carol');
  });

  const fragment = (groups: string) => `version: 1
groups:
${groups}
rules:
  - id: r
    description: Payments need Carol's approval.
    match: { tools: [payments.transfer] }
    effect: approve
    approval: { approvers: 1, groups: [approvers-carol] }
`;
  it.each([
    ['a stranger', '  approvers-carol: [mallory@evil.test]', 'does not name'],
    [
      'a group no rule of the fragment asks',
      '  approvers-carol: [carol@example.com]\n  spare: [dave@example.com]',
      'approved by no rule',
    ],
  ])('refuses a fragment whose groups hold %s', (_what, groups, detail) => {
    const report = verifyFragment({ sources, fragment: { name: 'nl.yaml', text: fragment(groups) } });
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'fragment-shape' && !c.passed)?.detail).toContain(detail);
  });
});

/** Whether some value carries an untrusted label and the user's origin at once. */
function userAlsoGave(request: {
  readonly provenance?: Readonly<Record<string, readonly string[]>>;
  readonly origin?: Readonly<Record<string, readonly string[]>>;
}): boolean {
  return Object.entries(request.provenance ?? {}).some(
    ([path, labels]) => labels.length > 0 && (request.origin?.[path] ?? []).includes('user_input'),
  );
}
