import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSentence } from './compile-sentence.js';
import { draftFromSentences } from './draft.js';
import { mail, pay, policyText, vocabulary } from './eval-set.fixture.js';
import { decisionsOn } from './sentence-decisions.fixture.js';

// The evaluation set's policy: every agent holds every grant and there are no rules.
const quickstart = readFileSync(
  new URL('../../../../examples/quickstart/policy.yaml', import.meta.url),
  'utf8',
);

function quotaOf(sentence: string) {
  const r = compileSentence(sentence, vocabulary);
  if (!r.ok) throw new Error(`refused: ${r.refusal.message}`);
  return r.meanings.map((m) => ({ effect: m.effect, quota: m.quota, agents: m.agents, tools: m.tools }));
}

describe('counts per period compile into quota rules', () => {
  it.each([
    ['The finance agent may make at most 3 transfers per day.', 3, '1d'],
    ['The finance agent can make no more than 3 transfers a day.', 3, '1d'],
    ['Transfers are capped at three per day.', 3, '1d'],
    ['Limit transfers to 3 per day.', 3, '1d'],
    ['Only 3 transfers per day.', 3, '1d'],
    ['Three transfers per day max; anything beyond that is blocked.', 3, '1d'],
    ['Transfers: max 3 per 24 hours.', 3, '24h'],
  ])('"%s" denies the transfer past %i in %s', (sentence, max, per) => {
    expect(quotaOf(sentence)).toEqual([
      expect.objectContaining({ effect: 'deny', quota: { max, per }, tools: ['payments.transfer'] }),
    ]);
    const d = decisionsOn(policyText, vocabulary, sentence);
    expect(d('finance-agent', 'payments.transfer', pay(10), { usage: max - 1 }).effect).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(10), { usage: max }).effect).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(10), { usage: max + 1 }).effect).toBe('deny');
    expect(d('finance-agent', 'finance.report', {}, { usage: max + 1 }).effect).toBe('allow');
  });

  it('scopes the quota to the agent the sentence names', () => {
    const d = decisionsOn(
      policyText,
      vocabulary,
      'No more than 20 emails per hour may be sent by the email assistant.',
    );
    expect(d('email-assistant', 'email.send', mail('a@example.com'), { usage: 19 }).effect).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com'), { usage: 20 }).effect).toBe('deny');
    expect(d('ops-agent', 'email.send', mail('a@example.com'), { usage: 20 }).effect).toBe('allow');
  });

  it('asks a person past the count when the sentence says so', () => {
    const sentence = 'Each hour the email assistant can send up to 50 messages; beyond that it must ask.';
    expect(quotaOf(sentence)).toEqual([
      expect.objectContaining({
        effect: 'approve',
        quota: { max: 50, per: '1h' },
        agents: ['email-assistant'],
      }),
    ]);
    const d = decisionsOn(policyText, vocabulary, sentence);
    expect(d('email-assistant', 'email.send', mail('a@example.com'), { usage: 49 }).effect).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com'), { usage: 50 }).effect).toBe('approve');
  });

  it('reads "at most once per day" and a week as seven days', () => {
    expect(quotaOf('The ops agent may delete from the orders database at most once per day.')).toEqual([
      expect.objectContaining({ effect: 'deny', quota: { max: 1, per: '1d' }, tools: ['orders_db.delete'] }),
    ]);
    expect(quotaOf('Limit sandbox deletions to 3 per week.')[0]?.quota).toEqual({ max: 3, per: '7d' });
  });

  it('keeps the rest of the sentence: a quota on large transfers, and an amount refused outright', () => {
    const big = decisionsOn(policyText, vocabulary, 'Allow at most 2 transfers a day over $500.');
    expect(big('finance-agent', 'payments.transfer', pay(100), { usage: 9 }).effect).toBe('allow');
    expect(big('finance-agent', 'payments.transfer', pay(600), { usage: 2 }).effect).toBe('deny');
    const both = decisionsOn(
      policyText,
      vocabulary,
      'At most 5 payments per hour are allowed, and none of them may be larger than $2,000.',
    );
    expect(both('finance-agent', 'payments.transfer', pay(2001), { usage: 0 }).effect).toBe('deny');
    expect(both('finance-agent', 'payments.transfer', pay(2000), { usage: 4 }).effect).toBe('allow');
    expect(both('finance-agent', 'payments.transfer', pay(2000), { usage: 5 }).effect).toBe('deny');
  });

  it.each([
    ['The email assistant may send at most -3 emails per day.'],
    ['The total amount transferred per day must not exceed $10,000.'],
    ['The finance agent may make at most 3 transfers per year.'],
    ['The finance agent may make at most 3 transfers every 45 days.'],
  ])('refuses "%s"', (sentence) => {
    const r = compileSentence(sentence, vocabulary);
    expect(r.ok).toBe(false);
  });

  it('drafts a quota sentence whose verification covers usage below, at and above the count', () => {
    const draft = draftFromSentences(
      ['The finance agent may make at most 3 transfers per day.'],
      [{ name: 'policy.yaml', text: quickstart }],
    );
    expect(draft.ok).toBe(true);
    if (!draft.ok) return;
    expect(draft.report.checks.filter((c) => !c.passed)).toEqual([]);
    const doc = parse(draft.fragment.text) as {
      rules: { id: string; quota?: unknown }[];
      tests: { request: { usage?: Record<string, number> }; expect: string }[];
    };
    const rule = doc.rules[0]!;
    expect(rule.quota).toEqual({ max: 3, per: '1d' });
    const counts = doc.tests.map((t) => t.request.usage?.[rule.id]);
    expect(counts).toEqual(expect.arrayContaining([2, 3]));
    expect(draft.report.changedCount).toBeGreaterThan(0);
  });
});
