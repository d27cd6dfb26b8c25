import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { compileSentence } from './compile-sentence.js';
import { withoutFraming } from './normalize-framing.js';
import { decisionsOn } from './sentence-decisions.fixture.js';
import { vocabularyOf } from './vocabulary.js';

// Round 17: what a document puts around a rule (a bullet, a control's or ticket's label, an
// audit finding's account, "effective immediately") says nothing a rule decides; the rule reads
// as it would alone. Sentences of our own, in the voices of the fifteenth and sixteenth splits.
const text = readFileSync(new URL('../../../../bench/nl/blind8-policy.yaml', import.meta.url), 'utf8');
const vocabulary = vocabularyOf(compilePolicy({ name: 'p.yaml', text }));
const on = (sentence: string) => {
  const d = decisionsOn(text, vocabulary, sentence);
  return (...a: Parameters<typeof d>) => d(...a).effect;
};

describe('document framing', () => {
  it.each([
    ['- no sandbox deletes', 'no sandbox deletes'],
    ['3) no sandbox deletes', 'no sandbox deletes'],
    ['Control OPS-12: sandbox deletes are denied.', 'sandbox deletes are denied.'],
    ['TICKET-9: deny sandbox_db.delete', 'deny sandbox_db.delete'],
    ['PCI DSS 7.1: sandbox deletes are denied.', 'sandbox deletes are denied.'],
    ['Effective immediately, sandbox deletes are denied.', 'sandbox deletes are denied.'],
    [
      'Finding 3: a wipe went unnoticed. Going forward, sandbox deletes need approval.',
      'sandbox deletes need approval.',
    ],
    [
      'Audit finding: wipes went unnoticed. Sandbox deletes now need approval.',
      'Sandbox deletes need approval.',
    ],
  ])('"%s" is read as "%s"', (framed, plain) => {
    expect(withoutFraming(framed)).toBe(plain);
  });
  it("keeps a finding's account whole when it says what may or must happen: it is a rule, not a story", () => {
    // Setting it aside compiled only the last sentence: the denial before it was lost.
    for (const framed of [
      'Finding 3: the ops agent must not delete orders. From now on payments over 100 need approval.',
      'Finding 5: No deletes in prod. Payments over 100 need approval.',
      'Audit finding 2: sandbox wipes are blocked. Going forward, payments need approval.',
    ])
      expect(withoutFraming(framed)).toBe(framed);
    expect(
      compileSentence(
        'Finding 3: the ops agent must not delete orders. From now on payments over 100 need approval.',
        vocabulary,
      ).ok,
    ).toBe(false);
  });
  it('leaves a label that is no document\'s alone ("ops-agent: …", "Throttle: …")', () => {
    expect(withoutFraming('ops-agent: read-only in prod')).toBe('ops-agent: read-only in prod');
    expect(withoutFraming('Finding 2: no account follows')).toBe('Finding 2: no account follows');
  });
  it('decides a framed rule as the rule alone', () => {
    const d = on('Control FIN-2: no single transfer may exceed 5,000.');
    expect(d('finance-agent', 'payments.transfer', { amount: 6000, to: 'a' })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', { amount: 100, to: 'a' })).toBe('allow');
  });
});

describe('a term defined before the rule', () => {
  it('stands for its definition where the rule says it', () => {
    expect(withoutFraming("'Sandbox data' means the sandbox system. Deleting sandbox data is denied.")).toBe(
      'Deleting the sandbox system is denied.',
    );
    const d = on("'Money moves' means any tool in the financial category. Money moves need approval.");
    expect(d('finance-agent', 'payments.transfer', { amount: 10, to: 'a' })).toBe('approve');
  });
  it('leaves the sentence whole when the rule does not say the term', () => {
    const s = "'Critical system' means the orders system. Deletes are denied.";
    expect(withoutFraming(s)).toBe(s);
    expect(compileSentence(s, vocabulary).ok).toBe(false);
  });
});

describe('effect words of a compliance register', () => {
  it('"pre-cleared" is a permission, which adds no rule', () => {
    const r = compileSentence('Contacts lookups are pre-cleared.', vocabulary);
    expect(r.ok && r.meanings.every((m) => m.effect === 'allow')).toBe(true);
  });
  it('"approve-only" asks a person', () => {
    expect(on('the sandbox system is approve-only')('ops-agent', 'sandbox_db.delete')).toBe('approve');
  });
  it('"shd", "should be read-only" and "need 2 people" of an engineer in a hurry', () => {
    const d = on('ops-agent shd be read only');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query', { sql: 'select 1' })).toBe('allow');
    const two = decisionsOn(text, vocabulary, 'sandbox deletes need 2 people');
    expect(two('ops-agent', 'sandbox_db.delete').effect).toBe('approve');
    expect(two('ops-agent', 'sandbox_db.delete').approvers).toBe(2);
  });
  it('"blocked for good", "until further notice" are denials with no date', () => {
    expect(on('Sandbox deletes are blocked for good.')('ops-agent', 'sandbox_db.delete')).toBe('deny');
    expect(on('Sandbox deletes are denied until further notice.')('ops-agent', 'sandbox_db.delete')).toBe(
      'deny',
    );
  });
});
