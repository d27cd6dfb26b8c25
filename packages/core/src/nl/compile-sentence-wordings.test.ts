import { describe, expect, it } from 'vitest';
import { mail, policyText, vocabulary } from './eval-set.fixture.js';
import { decisionsOn } from './sentence-decisions.fixture.js';

// Wordings the seventh blind set used for what the grammar already says: each compiles to the
// rule its plainer wording gives. The evaluation set's policy grants every agent every tool and
// has no rules, so each decision below is the sentence's alone.
const decider = (sentence: string) => decisionsOn(policyText, vocabulary, sentence);
const SATURDAY = '2026-11-07T12:00:00Z';
const SUNDAY = '2026-11-08T12:00:00Z';
const WEDNESDAY = '2026-11-04T12:00:00Z';

describe('approvers said in other words', () => {
  it('"must first be approved by" a person asks that person', () => {
    const d = decider('Email sent by the email assistant must first be approved by dave@example.com.');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: ['dave@example.com'],
    });
    expect(d('email-assistant', 'email.read').effect).toBe('allow');
  });
  it('"a single approver" is one approval', () => {
    const d = decider('Running a query against the orders DB needs a single approver.');
    expect(d('ops-agent', 'orders_db.query')).toEqual({ effect: 'approve', approvers: 1 });
    expect(d('ops-agent', 'orders_db.delete').effect).toBe('allow');
  });
  it('"three approvers are required before anyone deletes …" asks three of the deletes only', () => {
    const d = decider('Three approvers are required before anyone deletes from the sandbox database.');
    expect(d('ops-agent', 'sandbox_db.delete')).toEqual({ effect: 'approve', approvers: 3 });
    expect(d('ops-agent', 'orders_db.delete').effect).toBe('allow');
  });
  it('"two finance group members" are two members of the finance group', () => {
    const d = decider(
      'Transfers made on a Saturday or Sunday have to be approved by two finance group members.',
    );
    const transfer = { amount: 100, to: 'acct-1' };
    expect(d('finance-agent', 'payments.transfer', transfer, { now: SUNDAY })).toEqual({
      effect: 'approve',
      approvers: 2,
      eligible: ['carol@example.com', 'dave@example.com'],
    });
    expect(d('finance-agent', 'payments.transfer', transfer, { now: WEDNESDAY }).effect).toBe('allow');
  });
});

describe('days, mail and names said in other words', () => {
  it('"on weekends (Saturday or Sunday, UTC)" is the weekend once', () => {
    const d = decider(
      'Deleting from the staging environment on weekends (Saturday or Sunday, UTC) is prohibited.',
    );
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: SATURDAY }).effect).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: WEDNESDAY }).effect).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: SATURDAY }).effect).toBe('allow');
  });
  it('"no emails go out" forbids sending, not reading', () => {
    const d = decider('No emails go out on weekends.');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), { now: SUNDAY }).effect).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com')).effect).toBe('allow');
    expect(d('email-assistant', 'email.read', {}, { now: SUNDAY }).effect).toBe('allow');
  });
  it.each([
    'Order database queries are not permitted on Sundays.',
    'Order-database queries are not permitted on Sundays.',
  ])('"%s": a namespace said singular before its noun', (sentence) => {
    const d = decider(sentence);
    expect(d('ops-agent', 'orders_db.query', {}, { now: SUNDAY }).effect).toBe('deny');
    expect(d('ops-agent', 'orders_db.query', {}, { now: SATURDAY }).effect).toBe('allow');
    expect(d('ops-agent', 'sandbox_db.query', {}, { now: SUNDAY }).effect).toBe('allow');
  });
  it('"untrusted sources" are the tools the catalog labels untrusted', () => {
    const d = decider('Reading from untrusted sources requires approval.');
    expect(d('email-assistant', 'email.read').effect).toBe('approve');
    expect(d('email-assistant', 'email.list').effect).toBe('approve');
    expect(d('email-assistant', 'contacts.lookup').effect).toBe('allow');
  });
  it('"confidential resources" are the tools the catalog labels confidential', () => {
    const d = decider('Confidential resources may only be read with approval from dave@example.com.');
    expect(d('finance-agent', 'finance.report')).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: ['dave@example.com'],
    });
    expect(d('ops-agent', 'orders_db.query').effect).toBe('allow');
  });
});

describe('subjects, sessions and ranges said in other words', () => {
  it('"both members of the finance group approve" asks both', () => {
    const d = decider(
      'The finance report may only be opened after both members of the finance group approve.',
    );
    expect(d('finance-agent', 'finance.report')).toEqual({
      effect: 'approve',
      approvers: 2,
      eligible: ['carol@example.com', 'dave@example.com'],
    });
  });
  it('"a recipient at a domain other than example.com" is anyone outside it', () => {
    const d = decider('Any message with a recipient at a domain other than example.com must be blocked.');
    expect(d('email-assistant', 'email.send', mail('t@example.com')).effect).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('t@example.com', 'u@outlook.com')).effect).toBe('deny');
  });
  it('"all agents but X are barred from" leaves X alone', () => {
    const d = decider('All agents but the finance agent are barred from payment tools.');
    const transfer = { amount: 100, to: 'acct-1' };
    expect(d('finance-agent', 'payments.transfer', transfer).effect).toBe('allow');
    expect(d('ops-agent', 'payments.transfer', transfer).effect).toBe('deny');
    expect(d('ops-agent', 'orders_db.query').effect).toBe('allow');
  });
  it('"the session may not" and "in sessions where injection is suspected" are the flagged session', () => {
    const flagged = { labels: ['injection_suspected'] };
    const send = decider('Once a prompt injection is suspected, the session may not send email.');
    expect(send('email-assistant', 'email.send', mail('bob@example.com'), flagged).effect).toBe('deny');
    expect(send('email-assistant', 'email.send', mail('bob@example.com')).effect).toBe('allow');
    const pay = decider('Transfers above $200 are blocked in sessions where injection is suspected.');
    expect(pay('finance-agent', 'payments.transfer', { amount: 201, to: 'a' }, flagged).effect).toBe('deny');
    expect(pay('finance-agent', 'payments.transfer', { amount: 201, to: 'a' }).effect).toBe('allow');
  });
  it('"from $1,000 to $5,000 inclusive" takes both ends', () => {
    const d = decider(
      'Transfers from $1,000 to $5,000 inclusive need approval from dave@example.com, and anything bigger is denied.',
    );
    const pay = (amount: number) => d('finance-agent', 'payments.transfer', { amount, to: 'a' }).effect;
    expect([pay(999), pay(1000), pay(5000), pay(5001)]).toEqual(['allow', 'approve', 'approve', 'deny']);
  });
});

describe('"otherwise" opening a clause', () => {
  it.each([
    'Order deletions by the ops agent on weekdays need one approver; otherwise they are forbidden.',
    'Order deletions by the ops agent on weekdays need one approver; at any other time they are forbidden.',
  ])('after a restriction takes its calls and the opposite of its condition: "%s"', (sentence) => {
    const d = decider(sentence);
    expect(d('ops-agent', 'orders_db.delete', {}, { now: WEDNESDAY })).toEqual({
      effect: 'approve',
      approvers: 1,
    });
    expect(d('ops-agent', 'orders_db.delete', {}, { now: SATURDAY }).effect).toBe('deny');
    expect(d('finance-agent', 'orders_db.delete', {}, { now: SATURDAY }).effect).toBe('allow');
    expect(d('ops-agent', 'orders_db.query', {}, { now: SATURDAY }).effect).toBe('allow');
  });
});

describe('kinds of call said together', () => {
  it.each([
    'Financial and delete actions must be approved by two people from finance.',
    'Financial and delete operations both need two people from finance to approve them.',
  ])('"%s" asks for payments and deletes, not reads', (sentence) => {
    const d = decider(sentence);
    expect(d('finance-agent', 'payments.transfer', { amount: 100, to: 'a' })).toEqual({
      effect: 'approve',
      approvers: 2,
      eligible: ['carol@example.com', 'dave@example.com'],
    });
    expect(d('ops-agent', 'sandbox_db.delete').effect).toBe('approve');
    expect(d('ops-agent', 'orders_db.query').effect).toBe('allow');
  });
  it('"make at most 200 tool calls per day" counts every call of the agent', () => {
    const d = decider('Each agent may make at most 200 tool calls per day.');
    expect(d('ops-agent', 'orders_db.query', {}, { usage: 200 }).effect).toBe('deny');
    expect(d('ops-agent', 'orders_db.query', {}, { usage: 10 }).effect).toBe('allow');
  });
});

describe('recipients said in other words', () => {
  it('"except ones addressed only to example.com" lets mail inside the company through', () => {
    const d = decider('Every outgoing email needs approval, except ones addressed only to example.com.');
    expect(d('email-assistant', 'email.send', mail('x@example.com', 'y@example.com')).effect).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('x@example.com', 'y@partner.org')).effect).toBe('approve');
  });
  it('"the inbox (listing or reading mail)" is the inbox', () => {
    const d = decider(
      'Addresses that came from the inbox (listing or reading mail) cannot be used as recipients.',
    );
    // The inbox's tools are labelled untrusted; what they return carries the label.
    const send = (labels: string[]) =>
      d('email-assistant', 'email.send', mail('bob@example.com'), { provenance: { to: labels } }).effect;
    expect([send(['untrusted']), send(['trusted'])]).toEqual(['deny', 'allow']);
  });
});

describe('payees said in other words', () => {
  const pay = (amount: number) => ({ amount, to: 'acct-1' });
  it('"payees the user did not type" are payees not given by the user', () => {
    const d = decider(
      'Transfers over $1,000 to payees the user did not type are blocked outside 09:00-17:00 UTC.',
    );
    const at = (origin: string, now: string) =>
      d('finance-agent', 'payments.transfer', pay(1001), { origin: { to: [origin] }, now }).effect;
    expect(at('email.read', '2026-12-08T20:00:00Z')).toBe('deny');
    expect(at('email.read', '2026-12-08T12:00:00Z')).toBe('allow');
    expect(at('user_input', '2026-12-08T20:00:00Z')).toBe('allow');
  });
  it('"a transfer\'s payee must come from the address book" lets only those through', () => {
    const d = decider("A transfer's payee must come from the address book; anything else is blocked.");
    const from = (origin: string) =>
      d('finance-agent', 'payments.transfer', pay(100), { origin: { to: [origin] } }).effect;
    // The address book is contacts.lookup, labelled trusted: what it returns is vouched for so.
    expect([from('trusted'), from('user_input'), from('email.read')]).toEqual(['allow', 'deny', 'deny']);
  });
});

describe('nouns said again', () => {
  it('"mail whose recipient came out of an untrusted tool" is mail to recipients from untrusted content', () => {
    const d = decider('Mail whose recipient came out of an untrusted tool requires a human to approve it.');
    const send = (labels: string[]) =>
      d('email-assistant', 'email.send', mail('bob@example.com'), { provenance: { to: labels } }).effect;
    expect([send(['untrusted']), send(['trusted']), send([])]).toEqual(['approve', 'allow', 'allow']);
  });
  it('"weekday ones" are the weekday transfers', () => {
    const d = decider(
      'Weekend transfers over $300 by the finance agent are blocked, and weekday ones over $300 need approval.',
    );
    const pay = (amount: number, now: string) =>
      d('finance-agent', 'payments.transfer', { amount, to: 'a' }, { now }).effect;
    expect([pay(301, SATURDAY), pay(300, SATURDAY), pay(301, WEDNESDAY), pay(300, WEDNESDAY)]).toEqual([
      'deny',
      'allow',
      'approve',
      'allow',
    ]);
  });
});
