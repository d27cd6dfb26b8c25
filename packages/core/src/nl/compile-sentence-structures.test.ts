import { describe, expect, it } from 'vitest';
import { draftFromSentences } from './draft.js';
import { decider, mail, pay, policyText, refusal } from './eval-set.fixture.js';

// Sentence structures (round 9): two effects in one sentence, alternatives joined by "or", and
// "everything else" after a kind of call. Each decision is the sentence's alone: the evaluation
// set's policy grants every agent every tool and has no rules.
const SATURDAY = '2026-11-07T12:00:00Z';
const TUESDAY_NOON = '2026-11-03T12:00:00Z';
const TUESDAY_NIGHT = '2026-11-03T23:00:00Z';

describe('"otherwise": a second effect for what the first part does not cover', () => {
  it('after an approval, the second part takes the opposite of its one condition', () => {
    const d = decider('Deleting from production needs an approver; otherwise deletions are refused.');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
  it('"at any other time" leaves a window of hours and days: one rule for each bound', () => {
    const d = decider(
      'Config updates by the ops agent from 9:00 to 17:00 UTC on weekdays need one approval; at any other time they are blocked.',
    );
    expect(d('ops-agent', 'config.update', {}, { now: TUESDAY_NOON })).toBe('approve');
    expect(d('ops-agent', 'config.update', {}, { now: TUESDAY_NIGHT })).toBe('deny');
    expect(d('ops-agent', 'config.update', {}, { now: SATURDAY })).toBe('deny');
    expect(d('finance-agent', 'config.update', {}, { now: SATURDAY })).toBe('allow');
  });
  it('after a denial, a second part with calls of its own needs nothing from the first', () => {
    const d = decider('Payments over $900 are blocked; otherwise wires over $90 need approval.');
    expect(d('finance-agent', 'payments.transfer', pay(950))).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(100))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(50))).toBe('allow');
  });
  it('"otherwise … fine" adds no rule', () => {
    const d = decider('Shell commands in production need approval, otherwise they are fine.');
    expect(d('ops-agent', 'shell.exec', { command: 'ls' })).toBe('approve');
    expect(d('ops-agent', 'orders_db.delete')).toBe('allow');
  });
  it('refuses to turn over two conditions that are not one window of time', () => {
    expect(refusal('Payments over $300 to ACME need approval; otherwise they are blocked.').message).toMatch(
      /exactly one condition/,
    );
  });
  it('refuses to turn over an origin', () => {
    expect(
      refusal('Payments to accounts taken from email need approval; otherwise they are blocked.').code,
    ).toBe('GH_NL_UNSUPPORTED');
  });
});

describe('alternatives: ", or …," shares what follows', () => {
  it('gives one rule per alternative, with the same effect', () => {
    const d = decider('Transfers of $2,000 and up, or any transfer on weekends, need two approvers.');
    expect(d('finance-agent', 'payments.transfer', pay(2500))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(20), { now: SATURDAY })).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(20))).toBe('allow');
  });
  it('refuses when an alternative does not compile alone', () => {
    expect(refusal('Transfers over $700, or any transfer to a new payee, need approval.').code).toBe(
      'GH_NL_UNPARSED',
    );
  });
});

describe('"everything else" after a kind of call said by its verb', () => {
  it('"Queries are fine; anything else is denied" denies every other tool', () => {
    const d = decider('Reading is fine; anything else is denied.');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
    expect(d('email-assistant', 'email.read')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('deny');
  });
  it('"…don\'t need approval; everything else does" asks for every other tool', () => {
    const d = decider("Reads don't need sign-off; everything else does.");
    expect(d('email-assistant', 'contacts.lookup')).toBe('allow');
    expect(d('ops-agent', 'shell.exec', { command: 'ls' })).toBe('approve');
  });
});

describe('the external communication category and hours in brackets', () => {
  it('"external communication" is the category, whatever the recipient', () => {
    const d = decider('External communication is not allowed for the finance agent.');
    expect(d('finance-agent', 'email.send', mail('a@example.com'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('a@elsewhere.test'))).toBe('allow');
  });
  it('"communicate externally" is the same category', () => {
    const d = decider('The ops agent may not communicate externally.');
    expect(d('ops-agent', 'email.send', mail('a@example.com'))).toBe('deny');
    expect(d('ops-agent', 'email.read')).toBe('allow');
  });
  it('"outside business hours (Mon-Fri, 8am-4pm UTC)" is outside those hours or those days', () => {
    const d = decider('Shell commands outside business hours (Mon-Fri, 8am-4pm UTC) are denied.');
    expect(d('ops-agent', 'shell.exec', { command: 'ls' }, { now: TUESDAY_NOON })).toBe('allow');
    expect(d('ops-agent', 'shell.exec', { command: 'ls' }, { now: TUESDAY_NIGHT })).toBe('deny');
    expect(d('ops-agent', 'shell.exec', { command: 'ls' }, { now: SATURDAY })).toBe('deny');
  });
});

describe('"unless" / "except" with more than the one condition negated in place', () => {
  it('an exception that adds an amount to a rule with a day leaves the small ones out', () => {
    const d = decider('No payments on weekends, except those of $25 or less.');
    expect(d('finance-agent', 'payments.transfer', pay(30), { now: SATURDAY })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(25), { now: SATURDAY })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(30))).toBe('allow');
  });
  it('an agent acting in a place: the rule holds for other agents, and for that agent elsewhere', () => {
    const d = decider('Every database delete needs approval unless the ops agent is deleting in staging.');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('finance-agent', 'sandbox_db.delete')).toBe('approve');
  });
  it('"with the exception of" mail to a domain leaves out mail only to it', () => {
    const d = decider('Mail may not be sent at night, with the exception of mail to example.com.');
    const night = { now: '2026-11-04T23:00:00Z' };
    expect(d('email-assistant', 'email.send', mail('a@example.com'), night)).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com', 'b@elsewhere.test'), night)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('b@elsewhere.test'))).toBe('allow');
  });
  it('refuses an exception it cannot negate', () => {
    expect(
      refusal('Payments on weekends need approval unless the session is labelled injection_suspected.')
        .message,
    ).toMatch(/cannot negate/);
  });
});

describe('"any other …" with a domain, and sessions said as the subject', () => {
  const FLAGGED = { labels: ['injection_suspected'] };
  it('"email to any other domain outside example.com" lets the company and the named domain through', () => {
    const d = decider('Email to acme.test is fine; email to any other domain outside example.com is denied.');
    expect(d('email-assistant', 'email.send', mail('a@acme.test'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@elsewhere.test'))).toBe('deny');
  });
  it('"sessions marked as possibly injected may only read" denies the rest in those sessions', () => {
    const d = decider('Sessions marked as possibly injected may only read.');
    expect(d('email-assistant', 'email.read', {}, FLAGGED)).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com'), FLAGGED)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
  });
  it('a session named by a permission is the subject of the restriction after it', () => {
    const d = decider(
      'Flagged sessions (possible injection) may still read mail, but deleting orders needs approval.',
    );
    expect(d('ops-agent', 'orders_db.delete', {}, FLAGGED)).toBe('approve');
    expect(d('ops-agent', 'orders_db.delete')).toBe('allow');
  });
  it('"internal ones" are the messages said before, inside the company', () => {
    const d = decider(
      'When injection is suspected, messages outside example.com are blocked and internal ones need approval.',
    );
    expect(d('email-assistant', 'email.send', mail('a@example.com'), FLAGGED)).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('a@elsewhere.test'), FLAGGED)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
  });
});

describe('read-only places said in other words', () => {
  it('"read-only access is all that is permitted" in a place', () => {
    const d = decider('On staging, read-only access is all that is permitted.');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.query')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('allow');
  });
  it('"every tool whose system is X" is that system', () => {
    const d = decider('Every tool whose system is orders is read-only.');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
});

describe('fronted clauses joined by "and", origins said negatively, and the declared task', () => {
  it('"if A and B, …" needs both', () => {
    const d = decider('If a transfer is over $2,000 and the payee came from an email, it is denied.');
    const from = (amount: number, source: string) =>
      d('finance-agent', 'payments.transfer', pay(amount), { provenance: { to: [source] } });
    expect(from(2500, 'untrusted')).toBe('deny');
    expect(from(500, 'untrusted')).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(2500), { origin: { to: ['user_input'] } })).toBe(
      'allow',
    );
  });
  it('"payees that were not entered by the user" restricts every other payee', () => {
    const d = decider('Payments to payees that were not entered by the user need approval.');
    expect(d('finance-agent', 'payments.transfer', pay(10), { origin: { to: ['user_input'] } })).toBe(
      'allow',
    );
    expect(d('finance-agent', 'payments.transfer', pay(10), { origin: { to: ['email.read'] } })).toBe(
      'approve',
    );
  });
  it('"when the declared task is X" is that intent', () => {
    const d = decider('When the declared task is inbox triage, payments are denied.');
    expect(d('finance-agent', 'payments.transfer', pay(10), { intent: 'inbox-triage' })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(10))).toBe('allow');
  });
});

describe('a permission beside a restriction on recipients', () => {
  it('"…; mail to X colleagues does not" points back at the approval and permits', () => {
    const d = decider('Mail outside example.com needs approval; mail to example.com staff does not.');
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@elsewhere.test'))).toBe('approve');
  });
  it('"anything addressed outside X" is mail, not a payment to an account', () => {
    const d = decider('Email to example.com is fine, but anything addressed outside example.com is denied.');
    expect(d('email-assistant', 'email.send', mail('a@elsewhere.test'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', { amount: 5, to: 'acct-1' })).toBe('allow');
  });
});

describe('a domain and its subdomains', () => {
  it('"outside example.com and its subdomains" lets names under the domain through', () => {
    const d = decider("Mail to anyone outside example.com and its subdomains needs a human's OK.");
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@eu.example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com.evil.test'))).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('a@notexample.com'))).toBe('approve');
  });
  it('is verified and described like any other domain', () => {
    const draft = draftFromSentences(
      ['Email outside example.com and its subdomains is denied.'],
      [{ name: 'policy.yaml', text: policyText }],
    );
    expect(draft.ok).toBe(true);
    if (!draft.ok) return;
    // The evaluation policy leaves its mail schema open, which is warned of whatever the rule says.
    expect(draft.report.checks.filter((c) => !c.passed && c.name !== 'no-new-warnings')).toEqual([]);
  });
});

describe('an exception with an effect of its own', () => {
  it('"…, except ones to X, which only need approval": denied, and asked for X', () => {
    const d = decider(
      'Payments over $3,000 are blocked, except ones to acct-7788, which only need approval.',
    );
    expect(d('finance-agent', 'payments.transfer', { amount: 4000, to: 'acct-1234' })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', { amount: 4000, to: 'acct-7788' })).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', { amount: 40, to: 'acct-7788' })).toBe('allow');
  });
  it('"unless …, in which case they need approval" asks in the exception', () => {
    const d = decider(
      'Deletes in production are denied unless the ops agent is deleting, in which case they need approval.',
    );
    expect(d('finance-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
});

describe('a place said first, then two statements joined by "and"', () => {
  it('each statement holds in that place', () => {
    const d = decider(
      'Staging is a free-for-all, but in production every delete is denied and every update needs approval.',
    );
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.update')).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
});

describe('a permission with an exception that restricts', () => {
  it('"… are fine, except for the X agent, which may never …" denies that agent alone', () => {
    const d = decider('Sandbox deletes are fine, except for the research agent, which may never run them.');
    expect(d('research-agent', 'sandbox_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('research-agent', 'orders_db.delete')).toBe('allow');
  });
  it('"… are fine, except ones over $N, which need approval" asks above it', () => {
    const d = decider('Transfers are fine, except ones over $800, which need approval.');
    expect(d('finance-agent', 'payments.transfer', pay(900))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(700))).toBe('allow');
  });
});

describe('a list of actions is never half-compiled', () => {
  it('refuses a verb that none of the named things takes, rather than dropping it from the rule', () => {
    // The verbs and the objects are crossed: "moving" has no orders to move, so the money would
    // silently fall out of the rule.
    expect(refusal('Deleting orders and moving money need approval.').message).toMatch(
      /"financial" is said of none of the tools the rule covers.*one sentence for each action/,
    );
  });
  it('compiles a list whose every verb applies to what it names', () => {
    const d = decider('Querying and deleting order records need approval.');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('ops-agent', 'orders_db.query', { sql: 'SELECT 1' })).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(10))).toBe('allow');
  });
});

describe('an approval carved out of a denial said before it', () => {
  // As two rules the denial wins and the approval is never asked: the writer meant an exception.
  it('is refused rather than compiled as a denial of the carved-out calls', () => {
    expect(refusal('Deleting is blocked, but staging deletes need approval from Sam.').message).toMatch(
      /never reached/,
    );
  });
});

describe('a list of statements set off by commas', () => {
  it('is one rule per item when each governs calls of its own', () => {
    const d = decider('Shell commands are fine, config changes need approval, staging deletes are blocked.');
    expect(d('ops-agent', 'shell.exec', { command: 'ls' })).toBe('allow');
    expect(d('ops-agent', 'config.update')).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete')).toBe('allow');
  });

  it('is refused when its items govern the same calls', () => {
    expect(
      refusal('Payments over 100 need approval, payments over 50 are blocked, and payments over 80 are fine.')
        .code,
    ).toMatch(/^GH_NL_/);
  });
});
