import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { compileSentence } from './compile-sentence.js';
import { decisionsOn } from './sentence-decisions.fixture.js';
import { vocabularyOf } from './vocabulary.js';

// Round 17: sentences of our own in the classes that gave the sixteenth and fifteenth blind sets
// their wrong rules. Each was compiled to a rule that decides wrongly before this round.
const text = readFileSync(new URL('../../../../bench/nl/blind8-policy.yaml', import.meta.url), 'utf8');
const vocabulary = vocabularyOf(compilePolicy({ name: 'p.yaml', text }));
const on = (sentence: string) => {
  const d = decisionsOn(text, vocabulary, sentence);
  return (...a: Parameters<typeof d>) => d(...a).effect;
};
const refused = (sentence: string) => {
  const r = compileSentence(sentence, vocabulary);
  return r.ok
    ? `compiled: ${JSON.stringify(r.meanings.map((m) => [m.effect, m.conditions]))}`
    : r.refusal.code;
};
const mail = (to: string) => ({ to: [to], subject: 's', body: 'b' });
const pay = (amount: number, to = 'acct-4471') => ({ amount, to });
// `email.read` labels its output untrusted and `finance.report` confidential in this policy.
const recipient = (...origins: string[]) => ({
  origin: { 'to[0]': origins },
  provenance: { 'to[0]': origins.filter((o) => o !== 'user_input') },
});
const payee = (...origins: string[]) => ({
  origin: { to: origins },
  provenance: { to: origins.filter((o) => o !== 'user_input') },
});

describe('a forbidden source does not taint a value the user also gave', () => {
  it('"never mail an address taken from an email" lets through one the user typed too', () => {
    const d = on('never mail an address taken from an email');
    expect(d('email-assistant', 'email.send', mail('j@gmail.com'), recipient('untrusted'))).toBe('deny');
    expect(
      d('email-assistant', 'email.send', mail('j@gmail.com'), recipient('user_input', 'untrusted')),
    ).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('j@gmail.com'), recipient('user_input'))).toBe('allow');
  });
  it('"payments to accounts taken from finance.report need approval" does not ask about the user\'s own', () => {
    const d = on('payments to accounts taken from finance.report need approval');
    expect(d('finance-agent', 'payments.transfer', pay(10), payee('confidential'))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(10), payee('user_input', 'confidential'))).toBe(
      'allow',
    );
  });
});

describe('"read only" with a place', () => {
  it('is refused bare, where it may be "may read only there"', () => {
    expect(refused('finance-agent: read only in prod')).toBe('GH_NL_UNSUPPORTED');
    expect(refused('ops-agent read only during inbox-triage')).toBe('GH_NL_UNSUPPORTED');
  });
  it('hyphenated or after a copula, is nothing but reads there', () => {
    for (const s of ['ops-agent: read-only in prod', 'the ops agent is read only in production']) {
      const d = on(s);
      expect(d('ops-agent', 'orders_db.delete'), s).toBe('deny');
      expect(d('ops-agent', 'orders_db.query', { sql: 'select 1' }), s).toBe('allow');
      expect(d('ops-agent', 'sandbox_db.delete'), s).toBe('allow');
    }
  });
});

describe('"only X" is never a denial of X', () => {
  it('refuses "only reads, no deletes" rather than denying the reads', () => {
    expect(refused('in prod: only queries, no deletes')).toBe('GH_NL_AMBIGUOUS_EFFECT');
    expect(refused('only lookups, no payments')).toBe('GH_NL_AMBIGUOUS_EFFECT');
  });
  it('refuses a bare "only reads" beside a situation, which may be either reading', () => {
    expect(refused('during inbox-triage only reads')).toBe('GH_NL_AMBIGUOUS_EFFECT');
    expect(refused('During inbox triage the assistant may only read')).toBe('GH_NL_AMBIGUOUS_EFFECT');
  });
  it('reads "In production, agents may only read" as nothing but reads there', () => {
    const d = on('In production, agents may only read');
    expect(d('ops-agent', 'orders_db.query', { sql: 'select 1' })).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
});

describe("an exception with an effect of its own keeps the rule's condition", () => {
  it('"…, except to X which needs approval" without the comma', () => {
    const d = on('payments over 5k are blocked, except to acct-ops-001 which needs approval');
    expect(d('finance-agent', 'payments.transfer', pay(100, 'acct-ops-001'))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(100))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(6000, 'acct-ops-001'))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(6000))).toBe('deny');
  });
  it('refuses the exception cut off into a clause of its own', () => {
    expect(refused('transfers over 1k are blocked; except to acct-ops-001 which needs approval')).toBe(
      'GH_NL_UNSUPPORTED',
    );
    expect(refused('mail outside example.com is blocked, except to partner.org which needs approval')).toBe(
      'GH_NL_AMBIGUOUS_EFFECT',
    );
  });
  it("refuses an exemption of one agent's calls rather than making them the rule's", () => {
    expect(refused("All production access is denied apart from the ops agent's queries")).toBe(
      'GH_NL_UNSUPPORTED',
    );
    expect(refused("Nobody may touch production except the ops agent's reads")).toBe('GH_NL_UNSUPPORTED');
  });
});

describe('contradictory clauses on the same calls are refused', () => {
  it.each([
    "payments over 10k need approval; payments over 10k don't need approval",
    'payments over 10k need approval and never need approval',
    'sends may happen only in inbox-triage, and never in inbox-triage',
    'payments need approval, but payments under 100 never need approval',
  ])('%s', (s) => {
    expect(refused(s)).toBe('GH_NL_AMBIGUOUS_EFFECT');
  });
  it('"never need approval" below an amount is no cap above it', () => {
    const d = on('payments under 100 never need approval');
    expect(d('finance-agent', 'payments.transfer', pay(5000))).toBe('allow');
  });
});

// Round 18: a clause the compiler cannot read is never folded into another, and a fronted
// situation scopes an "only" rather than becoming a second one.
const SATURDAY = { now: '2026-11-07T12:00:00Z' };
const WEDNESDAY = { now: '2026-11-04T12:00:00Z' };
const NIGHT = { now: '2026-11-04T23:30:00Z' };

describe('a "may only" clause beside an approval is not folded into it', () => {
  it.each([
    'The ops agent may only delete in the sandbox, and sandbox deletes need approval',
    'The ops agent may only delete in the sandbox; sandbox deletes need approval',
    'The ops agent may only delete in the sandbox and sandbox deletes need approval',
    'The ops agent may only delete sandbox rows, and sandbox deletes need approval',
    'The ops agent may only delete in the sandbox, and orders deletes need approval',
    'The ops agent can only delete in the sandbox, and production deletes need approval',
    'The ops agent may only query orders, but sandbox deletes need approval',
  ])('%s', (s) => {
    expect(refused(s)).toMatch(/^GH_NL_/);
  });
});

describe('a fronted situation scopes the "only" it opens', () => {
  it.each([
    ['On weekends, the finance agent may only pay up to $500', SATURDAY, WEDNESDAY],
    ['On weekends, the finance agent may pay only up to $500', SATURDAY, WEDNESDAY],
    ['On weekends the finance agent may only pay up to $500', SATURDAY, WEDNESDAY],
    ['At night, the finance agent may only pay up to $500', NIGHT, WEDNESDAY],
    ['Between 9am and 5pm, the finance agent may only pay up to $500', WEDNESDAY, NIGHT],
    ['Outside business hours, the finance agent may only pay up to $500', NIGHT, WEDNESDAY],
    ['After 6pm, the finance agent may only pay up to $500', NIGHT, WEDNESDAY],
  ])('%s', (s, inside, outside) => {
    const d = on(s);
    expect(d('finance-agent', 'payments.transfer', pay(600), inside), s).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(400), inside), s).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(400), outside), s).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(600), outside), s).toBe('allow');
  });
  it('"On weekends, the email assistant may only email example.com" leaves weekday mail alone', () => {
    const d = on('On weekends, the email assistant may only email example.com');
    expect(d('email-assistant', 'email.send', mail('j@gmail.com'), SATURDAY)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('j@example.com'), SATURDAY)).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('j@gmail.com'), WEDNESDAY)).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('j@example.com'), WEDNESDAY)).toBe('allow');
  });
  it('"On weekdays, …" and "If injection is suspected, …" scope the recipients the same way', () => {
    const weekdays = on('On weekdays, the email assistant may only send mail to example.com');
    expect(weekdays('email-assistant', 'email.send', mail('j@gmail.com'), WEDNESDAY)).toBe('deny');
    expect(weekdays('email-assistant', 'email.send', mail('j@gmail.com'), SATURDAY)).toBe('allow');
    const suspected = on('If injection is suspected, the email assistant may only email example.com');
    const labels = ['injection_suspected'];
    expect(suspected('email-assistant', 'email.send', mail('j@gmail.com'), { labels })).toBe('deny');
    expect(suspected('email-assistant', 'email.send', mail('j@example.com'), { labels })).toBe('allow');
    expect(suspected('email-assistant', 'email.send', mail('j@gmail.com'))).toBe('allow');
  });
  it('with a second clause, the fronted situation still scopes the "only"', () => {
    const d = on('On weekends, the finance agent may only pay up to $500, and deletes need approval');
    expect(d('finance-agent', 'payments.transfer', pay(600), WEDNESDAY)).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(600), SATURDAY)).toBe('deny');
  });
  it('refuses a condition of the fronted kind said again after "only"', () => {
    expect(refused('On weekends, the finance agent may only pay on Saturdays')).toMatch(/^GH_NL_/);
  });
});
