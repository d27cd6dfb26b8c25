import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { compileSentence } from './compile-sentence.js';
import { type DecisionExtra, decisionsOn } from './sentence-decisions.fixture.js';
import { vocabularyOf } from './vocabulary.js';

// Round 6 of issue 18: families of phrasing a writer new to the grammar uses, each in wordings
// of our own (not the blind sets'), over the quickstart's catalog with its grants and no rules,
// so every decision below is the sentence's alone.
const policyText = readFileSync(new URL('../../../../bench/nl/blind2-policy.yaml', import.meta.url), 'utf8');
const vocabulary = vocabularyOf(compilePolicy({ name: 'policy.yaml', text: policyText }));

/** The sentence's rules beside the policy, as a function from a request to "effect" or "approve/N". */
function decider(sentence: string) {
  const d = decisionsOn(policyText, vocabulary, sentence);
  return (agent: string, tool: string, args: Record<string, unknown> = {}, extra: DecisionExtra = {}) => {
    const { effect, approvers } = d(agent, tool, args, extra);
    return effect === 'approve' ? `approve/${approvers}` : effect;
  };
}
const refusal = (sentence: string) => {
  const r = compileSentence(sentence, vocabulary);
  return r.ok ? undefined : r.refusal.message;
};
const pay = (amount: number) => ({ amount, to: 'ACME' });
const mail = (...to: string[]) => ({ to, subject: 's', body: 'b' });

describe('wrong rules the fifth blind split found', () => {
  it.each(['Financial tools are forbidden.', 'Agents may not use financial tools.'])(
    '"%s" is the financial category, not also the finance namespace',
    (sentence) => {
      const d = decider(sentence);
      expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('deny');
      expect(d('finance-agent', 'finance.report')).toBe('allow');
    },
  );
  it('"they" in a later clause carries the first clause\'s amount', () => {
    const d = decider(
      'Payments over $5,000 on weekends are blocked; on weekdays they need two approvals from finance.',
    );
    expect(d('finance-agent', 'payments.transfer', pay(5001))).toBe('approve/2');
    expect(d('finance-agent', 'payments.transfer', pay(4000))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(5001), { now: '2026-11-07T12:00:00Z' })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(4000), { now: '2026-11-07T12:00:00Z' })).toBe('allow');
  });
  it('"may be used only by an agent" keeps the other tools open to that agent', () => {
    const d = decider('The confidential tools can be run solely by the finance agent.');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
    expect(d('finance-agent', 'finance.report')).toBe('allow');
    expect(d('email-assistant', 'finance.report')).toBe('deny');
  });
  it('refuses a clause that restricts the values the user gave, which a rule would do the opposite of', () => {
    expect(refusal('Payments to accounts the user entered are blocked.')).toMatch(/values without an origin/);
    // "only" is what a rule can say.
    const d = decider('Payments may only go to accounts entered by the user.');
    expect(d('finance-agent', 'payments.transfer', pay(5), { origin: { to: ['user_input'] } })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(5), { origin: { to: ['email.read'] } })).toBe('deny');
  });
  it('a fronted intent scopes an "only" instead of being one of its terms', () => {
    const d = decider('During inbox triage, the email assistant may email only example.com addresses.');
    expect(d('email-assistant', 'email.send', mail('x@evil.test'), { intent: 'inbox-triage' })).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), { intent: 'inbox-triage' })).toBe(
      'allow',
    );
    expect(d('email-assistant', 'email.send', mail('x@evil.test'))).toBe('allow');
  });
});

describe('approval vocabulary', () => {
  it.each([
    ['Wire transfers require two-party authorization from finance.', 'approve/2'],
    ['Both members of the finance team must sign off on each transfer.', 'approve/2'],
    ['Four approvals are required before any transfer.', 'approve/4'],
    ['One approver in finance should okay every transfer.', 'approve/1'],
    ['Transfers have to be escalated to a reviewer.', 'approve/1'],
    ['Transfers should be forwarded to a person for review.', 'approve/1'],
  ])('"%s" → %s', (sentence, expected) => {
    const d = decider(sentence);
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe(expected);
    expect(d('finance-agent', 'finance.report')).toBe('allow');
  });
});

describe('approvers named first, "unless approved by", "above that it must ask"', () => {
  it('a person who must sign off, said first, is the approver', () => {
    const d = decider('dave@example.com has to sign off on every payment.');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('approve/1');
    expect(d('finance-agent', 'finance.report')).toBe('allow');
  });
  it('"blocked unless okayed by two members of finance" asks them', () => {
    const d = decider('Payments over $800 are blocked unless okayed by two members of finance.');
    expect(d('finance-agent', 'payments.transfer', pay(801))).toBe('approve/2');
    expect(d('finance-agent', 'payments.transfer', pay(800))).toBe('allow');
  });
  it('"over that it has to ask" asks above the bound the clause before set', () => {
    const d = decider('The finance agent may pay up to $300 by itself; over that it has to ask.');
    expect(d('finance-agent', 'payments.transfer', pay(301))).toBe('approve/1');
    expect(d('finance-agent', 'payments.transfer', pay(300))).toBe('allow');
  });
});

describe('imperatives and origins said the other way round', () => {
  it('"never allow anybody to purge things … without asking a person" asks', () => {
    const d = decider('Never allow anybody to purge things from production without asking a person first.');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve/1');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('"operations on resources in production" are anything there', () => {
    const d = decider('Operations on resources in production need approval.');
    expect(d('ops-agent', 'orders_db.query')).toBe('approve/1');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('"unless the recipient came from the user" requires that origin', () => {
    const d = decider('External emails are blocked unless the recipient came from the user.');
    expect(
      d('email-assistant', 'email.send', mail('x@evil.test'), { origin: { 'to[0]': ['user_input'] } }),
    ).toBe('allow');
    expect(
      d('email-assistant', 'email.send', mail('x@evil.test'), { origin: { 'to[0]': ['email.read'] } }),
    ).toBe('deny');
  });
  it('"to payees not given by the user" restricts the others', () => {
    const d = decider('Payments above $50 to payees not given by the user are blocked.');
    expect(d('finance-agent', 'payments.transfer', pay(51), { origin: { to: ['email.read'] } })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(51), { origin: { to: ['user_input'] } })).toBe(
      'allow',
    );
    expect(d('finance-agent', 'payments.transfer', pay(50), { origin: { to: ['email.read'] } })).toBe(
      'allow',
    );
  });
});

describe('requests to move money, figures with a plus, a person named twice, the frozen state', () => {
  it('"attempts to wire $2k+ need Dave\'s (dave@example.com) approval" asks Dave from $2,000', () => {
    const d = decider("Attempts to wire $2k+ need Dave's (dave@example.com) approval.");
    expect(d('finance-agent', 'payments.transfer', pay(2000))).toBe('approve/1');
    expect(d('finance-agent', 'payments.transfer', pay(1999))).toBe('allow');
  });
  it('"anything in the frozen state" is a call while the freeze holds', () => {
    const d = decider('Anything in the frozen state needs approval.');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-12-24T12:00:00Z' })).toBe('approve/1');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
});

describe('permissions, actions and subjects in other words', () => {
  it('"at will" beside a restriction permits, and the restriction stands', () => {
    const d = decider('The sandbox may be cleared at will, but no AI agent may erase production orders.');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
  });
  it.each(['No agent may retrieve the finance report.', 'The finance report may not be opened by anybody.'])(
    '"%s" denies the report only',
    (sentence) => {
      const d = decider(sentence);
      expect(d('finance-agent', 'finance.report')).toBe('deny');
      expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
    },
  );
  it('"funds moved" are transfers, not messages', () => {
    const d = decider('No funds may be moved.');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('x@evil.test'))).toBe('allow');
  });
});

describe('domains, hours, session labels, categories, intents and sources', () => {
  it.each([
    'Messages to anybody who is not at example.com need approval.',
    'If at least one recipient is external, the message needs approval.',
    'Email going to an external domain needs approval.',
  ])('"%s" asks when any recipient is outside', (sentence) => {
    const d = decider(sentence);
    expect(d('email-assistant', 'email.send', mail('bob@example.com', 'x@evil.test'))).toBe('approve/1');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it('"outside of 06:00 to 20:00 UTC" is outside that window', () => {
    const d = decider('Production deletes are blocked outside of 06:00 to 20:00 UTC.');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-11-04T05:30:00Z' })).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-11-04T12:00:00Z' })).toBe('allow');
  });
  it.each([
    'Whenever injection is suspected, sandbox deletes are denied.',
    'In sessions labelled as injection-suspected, sandbox deletes are denied.',
    'When the session carries the injection_suspected label, sandbox deletes are denied.',
    'Sandbox deletes in any injection-suspected session are denied.',
  ])('"%s" reads the session label', (sentence) => {
    const d = decider(sentence);
    expect(d('ops-agent', 'sandbox_db.delete', {}, { labels: ['injection_suspected'] })).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it.each([
    'Anything in the external communication category needs approval.',
    'Tools categorised as external_communication need approval.',
  ])('"%s" is the category, internal recipients included', (sentence) => {
    const d = decider(sentence);
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('approve/1');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
  it('"when the declared intent is X" is the intent', () => {
    const d = decider('If the intent is inbox-triage, sending email needs approval.');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), { intent: 'inbox-triage' })).toBe(
      'approve/1',
    );
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it("a catalog tool named as the source gives its outputs' label", () => {
    const d = decider('Never email an address obtained from email.list.');
    expect(
      d('email-assistant', 'email.send', mail('x@evil.test'), {
        origin: { 'to[0]': ['email.list'] },
        provenance: { 'to[0]': ['untrusted'] },
      }),
    ).toBe('deny');
    expect(
      d('email-assistant', 'email.send', mail('x@evil.test'), { origin: { 'to[0]': ['user_input'] } }),
    ).toBe('allow');
  });
});

describe('a wrong rule the sixth blind split found', () => {
  it.each([
    'The finance agent is read-only.',
    'The email assistant and the finance agent have read-only access.',
  ])('"%s" leaves the agent its reads and nothing else', (sentence) => {
    const d = decider(sentence);
    expect(d('finance-agent', 'finance.report')).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete', { id: 'o-1' })).toBe('allow');
  });
  it('the email assistant made read-only reads mail and sends none', () => {
    const d = decider('The email assistant is read-only.');
    expect(d('email-assistant', 'email.read')).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('deny');
  });
  it('read-only data keeps its meaning: no writes or deletes of that data', () => {
    const d = decider('Production data is read-only for agents');
    expect(d('ops-agent', 'orders_db.delete', { id: 'o-1' })).toBe('deny');
    expect(d('ops-agent', 'orders_db.query', { sql: 'SELECT 1' })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
  });
  it('two "only" limits, on recipients and on their origin, are never one narrowing the other', () => {
    // In one clause: refused.
    expect(
      refusal('Mail may go only to example.com addresses and only to addresses the user gave.'),
    ).toBeDefined();
    // As a second clause: a rule for each limit, so breaking either one is denied.
    const d = decider(
      'The email assistant may email only example.com addresses, and only addresses the user typed.',
    );
    const typed = { origin: { 'to[0]': ['user_input'] } };
    expect(d('email-assistant', 'email.send', { to: ['bob@example.com'] }, typed)).toBe('allow');
    expect(d('email-assistant', 'email.send', { to: ['eve@gmail.com'] }, typed)).toBe('deny');
    expect(d('email-assistant', 'email.send', { to: ['bob@example.com'] })).toBe('deny');
  });
});
