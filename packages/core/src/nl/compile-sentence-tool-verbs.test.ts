import { describe, expect, it } from 'vitest';
import { compileSentence } from './compile-sentence.js';
import { decider, mail, policyText, vocabulary } from './eval-set.fixture.js';
import { decisionsOn } from './sentence-decisions.fixture.js';

// A verb that is a tool's own action picks that tool out, and a clause with no action of its
// own carries the one before it. The evaluation set's policy grants every agent every tool and
// has no rules, so each decision below is the sentence's alone.

const SATURDAY = '2026-11-07T12:00:00Z';

describe("a verb naming a tool's own action selects that tool", () => {
  it('"looks up a contact" is contacts.lookup, not a read nor a message sent', () => {
    const d = decider(
      'Before the email assistant looks up a contact, Carol (carol@example.com) must approve.',
    );
    expect(d('email-assistant', 'contacts.lookup')).toBe('approve');
    expect(d('email-assistant', 'email.read')).toBe('allow');
    expect(d('email-assistant', 'email.list')).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it('"listing the inbox" is email.list, not every mail read', () => {
    const d = decider('Listing the inbox is off limits for the email assistant.');
    expect(d('email-assistant', 'email.list')).toBe('deny');
    expect(d('email-assistant', 'email.read')).toBe('allow');
    expect(d('ops-agent', 'email.list')).toBe('allow');
  });
  it('"reading email" names its category, so it stays every mail read', () => {
    const d = decider('Reading email requires approval.');
    expect(d('email-assistant', 'email.read')).toBe('approve');
    expect(d('email-assistant', 'email.list')).toBe('approve');
  });
  it('a clause with an action of its own takes the place the verb acted on, not its tool', () => {
    const d = decider('The ops agent can query the orders DB, but not delete anything there');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
});

describe('a clause that names no action carries the one before it', () => {
  it('"… and never on weekends" forbids the deletes, not the queries', () => {
    const d = decider(
      "The ops agent may delete production orders only with carol@example.com's approval and never on weekends.",
    );
    expect(d('ops-agent', 'orders_db.delete', {}, { now: SATURDAY })).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('ops-agent', 'orders_db.query', {}, { now: SATURDAY })).toBe('allow');
  });
});

describe('a quota over an agent named for mail', () => {
  it('"the email assistant" is not the mail a count is of', () => {
    const d = decider('The email assistant can look up at most 50 contacts per hour.');
    expect(d('email-assistant', 'contacts.lookup', {}, { usage: 50 })).toBe('deny');
    expect(d('email-assistant', 'contacts.lookup', {}, { usage: 3 })).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), { usage: 50 })).toBe('allow');
  });
  it('a count of deletes by the email assistant does not count what it sends', () => {
    const d = decider('The email assistant can delete at most 10 emails per day.');
    expect(d('email-assistant', 'email.delete', {}, { usage: 10 })).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), { usage: 10 })).toBe('allow');
  });
});

describe('a tail after a count said with a verb', () => {
  it('"No agent may delete more than 3 orders per day, and never on weekends" forbids weekend deletes', () => {
    const d = decider('No agent may delete more than 3 orders per day, and never on weekends.');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: SATURDAY })).toBe('deny');
    expect(d('ops-agent', 'orders_db.query', {}, { now: SATURDAY })).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete', {}, { usage: 1 })).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete', {}, { usage: 3 })).toBe('deny');
  });
  it('"may make at most 3 transfers per day, and never in production on weekends" forbids those', () => {
    const d = decider(
      'The finance agent may make at most 3 transfers per day, and never in production on weekends.',
    );
    const pay = { amount: 10, to: 'a' };
    expect(d('finance-agent', 'payments.transfer', pay, { now: SATURDAY })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay)).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay, { usage: 3 })).toBe('deny');
  });
  it('"…, and each pull needs approval from carol@example.com" asks for every pull', () => {
    const d = decisionsOn(
      policyText,
      vocabulary,
      'The finance agent can pull the finance report at most twice a day, and each pull needs approval from carol@example.com.',
    );
    expect(d('finance-agent', 'finance.report')).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: ['carol@example.com'],
    });
    expect(d('finance-agent', 'finance.report', {}, { usage: 2 }).effect).toBe('deny');
    expect(d('ops-agent', 'finance.report').effect).toBe('allow');
  });
  it('still refuses "each" with words that may narrow the calls', () => {
    const r = compileSentence(
      'The email assistant may send at most 20 emails a day, and each one to an outside address needs approval.',
      vocabulary,
    );
    expect(r.ok).toBe(false);
  });
  it('"may send no more than 20 emails a day, and never to outside addresses" blocks mail outside', () => {
    const d = decider(
      'The email assistant may send no more than 20 emails a day, and never to outside addresses.',
    );
    expect(d('email-assistant', 'email.send', mail('eve@gmail.com'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
});

describe('"only" before the kind of call, after a fronted condition', () => {
  // Round 17: a situation set off by a comma is where the "only" holds, so these are nothing but
  // reads there (they were refused before, never read as a denial of the reads elsewhere).
  it('reads "In production, only reads are allowed." as nothing but reads in production', () => {
    const d = decider('In production, only reads are allowed.');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('reads "On weekdays, only reads are allowed." as nothing but reads on weekdays', () => {
    const d = decider('On weekdays, only reads are allowed.');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: SATURDAY })).toBe('allow');
  });
  it('refuses the same "only" with no comma to set the situation off: "In production only reads are allowed."', () => {
    expect(compileSentence('In production only reads are allowed.', vocabulary).ok).toBe(false);
  });
  it('still reads "only" after a comma as said of the condition that follows it', () => {
    const d = decider('Payments are fine, only under $100.');
    expect(d('finance-agent', 'payments.transfer', { amount: 50, to: 'a' })).not.toBe('deny');
    expect(d('finance-agent', 'payments.transfer', { amount: 500, to: 'a' })).toBe('deny');
  });
});
