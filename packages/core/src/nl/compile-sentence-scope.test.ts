import { describe, expect, it } from 'vitest';
import { compileSentence } from './compile-sentence.js';
import { decider, mail, policyText, refusal, vocabulary } from './eval-set.fixture.js';
import { decisionsOn } from './sentence-decisions.fixture.js';

// What a rule reaches: the calls a pointer back, a noun or a time zone leaves it to. The
// evaluation set's policy grants every agent every tool and has no rules, so each decision
// below is the sentence's alone.

describe('a pointer back narrows the action said as a noun', () => {
  it('"deletions from it" are the deletions of what the clause before names', () => {
    const d = decider(
      'Queries against the orders database are permitted; deletions from it require approval',
    );
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
  it('"they" as the subject leaves the noun its own calls', () => {
    const d = decider('Agents may look up contacts, but they may not send messages');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('deny');
    expect(d('email-assistant', 'contacts.lookup')).toBe('allow');
  });
});

describe('"outbound" email is every send, as "outgoing" is', () => {
  it.each(['Outbound email needs approval', 'Outgoing email needs approval'])(
    '"%s" asks for mail inside the company too',
    (sentence) => {
      const d = decider(sentence);
      expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('approve');
      expect(d('email-assistant', 'email.send', mail('eve@gmail.com'))).toBe('approve');
      expect(d('email-assistant', 'email.read')).toBe('allow');
    },
  );
  it('"outbound email to addresses outside example.com" still takes the domain it names', () => {
    const d = decider('No outbound email to addresses outside example.com without a human OK');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('eve@gmail.com'))).toBe('approve');
  });
});

describe('a time zone named beside days and dates', () => {
  const saturday = { now: '2026-12-12T12:00:00Z' };
  const monday = { now: '2026-12-07T12:00:00Z' };
  it.each(['No production deletions on weekends (UTC)', 'No production deletions on weekends UTC'])(
    '"%s" is the rule clock\'s own zone',
    (sentence) => {
      const d = decider(sentence);
      expect(d('ops-agent', 'orders_db.delete', {}, saturday)).toBe('deny');
      expect(d('ops-agent', 'orders_db.delete', {}, monday)).toBe('allow');
    },
  );
  it('reads a date in UTC', () => {
    const d = decider('The ops agent may not delete anything on 2026-12-31 (UTC)');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-12-31T12:00:00Z' })).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-12-30T12:00:00Z' })).toBe('allow');
  });
  it('refuses any other zone', () => {
    expect(refusal('No production deletions on weekends (PST)').unparsed).toEqual(['(pst)']);
  });
});

describe('"only" said of kinds of call', () => {
  it('"Only read operations are permitted" denies every other tool to every agent', () => {
    const d = decider('Only read operations are permitted');
    expect(d('email-assistant', 'email.read')).toBe('allow');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
  });
  it('"The ops agent may only perform reads" denies the rest to that agent alone', () => {
    const d = decider('The ops agent may only perform reads');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('research-agent', 'orders_db.delete')).toBe('allow');
  });
  it('refuses "only" over a kind of call narrowed to a system: which other calls is not said', () => {
    expect(refusal('Only sandbox deletes are allowed').code).toBe('GH_NL_UNSUPPORTED');
  });
  it('"everything else" after kinds of call is every other tool', () => {
    const d = decider('Read-only tools can be used freely; everything else needs approval');
    expect(d('email-assistant', 'email.read')).toBe('allow');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('approve');
  });
  it('"everything else" after calls of one system is still refused', () => {
    expect(refusal('Sandbox deletes are fine; everything else is blocked').message).toContain(
      'other than what',
    );
  });
});

describe('an approver named by address', () => {
  it('asks a group member "to approve it"', () => {
    const d = decisionsOn(policyText, vocabulary, 'Outbound email needs dave@example.com to approve it');
    const r = d('email-assistant', 'email.send', mail('bob@example.com'));
    expect(r.effect).toBe('approve');
    expect(r.eligible).toEqual(['dave@example.com']);
  });
  it("takes a person's approval said with a possessive", () => {
    const d = decisionsOn(policyText, vocabulary, "Transfers require carol@example.com's approval");
    expect(d('finance-agent', 'payments.transfer', { amount: 5, to: 'ACME' }).eligible).toEqual([
      'carol@example.com',
    ]);
  });
  it('refuses an address the policy does not name as an approver', () => {
    expect(refusal('Outbound email needs mallory@example.com to approve it').message).toContain(
      'cannot name one person',
    );
  });
});

describe('a value the model made up', () => {
  const pay = { amount: 5, to: 'acct-1' };
  it.each([
    'Accounts that the model invented must never receive money',
    'Never pay accounts the model made up',
    'Never pay accounts that were made up by the model',
  ])('"%s" denies a payee no origin vouches for, and only that one', (sentence) => {
    const d = decider(sentence);
    expect(d('finance-agent', 'payments.transfer', pay)).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay, { origin: { to: ['user_input'] } })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay, { origin: { to: ['trusted'] } })).toBe('allow');
    // Copied out of an email: the enforcement path knows it by the output's label.
    expect(d('finance-agent', 'payments.transfer', pay, { origin: { to: ['untrusted'] } })).toBe('allow');
  });
  it('keeps the amount of the clause before out of "whatever the amount"', () => {
    const d = decider(
      'Payments over $10,000 need two finance approvals, and payments to an account the model made up are denied whatever the amount',
    );
    const mine = { origin: { to: ['user_input'] } };
    expect(d('finance-agent', 'payments.transfer', { amount: 50, to: 'a' })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', { amount: 50, to: 'a' }, mine)).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', { amount: 20000, to: 'a' }, mine)).toBe('approve');
  });
});

describe('phrasings of approvers and session states', () => {
  it.each([
    'Before the ops agent deletes orders, one member of the finance group has to approve',
    'Deleting orders requires the OK of one finance group member',
  ])('"%s" asks one member of finance', (sentence) => {
    const d = decisionsOn(policyText, vocabulary, sentence);
    const r = d('ops-agent', 'orders_db.delete');
    expect(r.effect).toBe('approve');
    expect(r.approvers).toBe(1);
    expect(r.eligible).toEqual(['carol@example.com', 'dave@example.com']);
  });
  it.each([
    'If a prompt injection is suspected in the session, no email may be sent',
    'After a suspected prompt injection, no email may be sent',
    'Email may not be called in a session where injection is suspected',
  ])('"%s" holds while the session carries injection_suspected', (sentence) => {
    const d = decider(sentence);
    const flagged = { labels: ['injection_suspected'] };
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), flagged)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it('"a sign-off from a finance group member" is one approval from finance', () => {
    const d = decisionsOn(
      policyText,
      vocabulary,
      'Transfers above $1,000 require a sign-off from a finance group member',
    );
    const r = d('finance-agent', 'payments.transfer', { amount: 2000, to: 'a' });
    expect(r.effect).toBe('approve');
    expect(r.eligible).toEqual(['carol@example.com', 'dave@example.com']);
  });
  it.each(['Payments are disallowed on weekends', 'Payments are off the table on weekends'])(
    '"%s" denies them',
    (sentence) => {
      const d = decider(sentence);
      expect(
        d('finance-agent', 'payments.transfer', { amount: 5, to: 'a' }, { now: '2026-12-12T12:00:00Z' }),
      ).toBe('deny');
      expect(
        d('finance-agent', 'payments.transfer', { amount: 5, to: 'a' }, { now: '2026-12-07T12:00:00Z' }),
      ).toBe('allow');
    },
  );
  it('"is restricted to the finance agent": every other agent is denied', () => {
    const d = decider('The finance report is restricted to the finance agent');
    expect(d('finance-agent', 'finance.report')).toBe('allow');
    expect(d('ops-agent', 'finance.report')).toBe('deny');
  });
  it('"forbidden for everyone" is said of every agent', () => {
    const d = decider('Reading confidential data is forbidden for everyone');
    expect(d('finance-agent', 'finance.report')).toBe('deny');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
});

describe('the tools of an intent', () => {
  it.each([
    'In an inbox-triage session, only the tools of that intent may be used',
    'A session declared for inbox triage may only use the tools of that intent',
  ])('"%s" denies every other tool during the intent alone', (sentence) => {
    const d = decider(sentence);
    const triage = { intent: 'inbox-triage' };
    expect(d('email-assistant', 'email.read', {}, triage)).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), triage)).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete', {}, triage)).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete')).toBe('allow');
  });
  it('refuses "the tools of that intent" with no intent named', () => {
    expect(refusal('The tools of that intent need approval').message).toContain('needs the one intent');
  });
});

describe('words that describe without narrowing', () => {
  it('"the confidential finance report" is the report, which carries that label', () => {
    const d = decider('The confidential finance report may only be read by the finance agent');
    expect(d('finance-agent', 'finance.report')).toBe('allow');
    expect(d('ops-agent', 'finance.report')).toBe('deny');
  });
  it('refuses a label the tool does not carry', () => {
    expect(refusal('The untrusted finance report may only be read by the finance agent').unparsed).toEqual([
      'untrusted',
    ]);
  });
  it('"only the tools that intent lists" is the intent\'s tools', () => {
    const d = decider('In an inbox-triage session, agents may use only the tools that intent lists');
    expect(d('ops-agent', 'orders_db.query', {}, { intent: 'inbox-triage' })).toBe('deny');
    expect(d('email-assistant', 'email.list', {}, { intent: 'inbox-triage' })).toBe('allow');
  });
  it('"allowed automatically" is a permission; "larger transfers" lie above it', () => {
    const d = decider('Transfers up to $250 are allowed automatically; larger transfers need approval');
    expect(d('finance-agent', 'payments.transfer', { amount: 250, to: 'a' })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', { amount: 251, to: 'a' })).toBe('approve');
  });
  it('"can be pulled without asking" is a permission beside the restriction', () => {
    const d = decider(
      'Finance reports can be pulled without asking, but every transfer needs a human to sign off',
    );
    expect(d('finance-agent', 'finance.report')).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', { amount: 5, to: 'a' })).toBe('approve');
  });
  it('"tools whose resource environment is production" are production tools', () => {
    const d = decider('Tools whose resource environment is production may not be used by any agent');
    expect(d('ops-agent', 'orders_db.query')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('"while the change freeze is in effect" is during the freeze', () => {
    const d = decider('While the change freeze is in effect, deleting from the sandbox needs approval');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-12-22T12:00:00Z' })).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-12-08T12:00:00Z' })).toBe('allow');
  });
  it('"every finance report request" is every call of the report', () => {
    const d = decider('Every finance report request must be approved by carol@example.com');
    expect(d('finance-agent', 'finance.report')).toBe('approve');
  });
  it('"the address book" is the contacts tool, and "triaging the inbox" the inbox-triage intent', () => {
    const d = decider('The address book may not be used while triaging the inbox');
    expect(d('email-assistant', 'contacts.lookup', {}, { intent: 'inbox-triage' })).toBe('deny');
    expect(d('email-assistant', 'contacts.lookup')).toBe('allow');
  });
  it('"from a trusted source such as the address book" is from a trusted tool', () => {
    const d = decider(
      'Email may be sent only to recipients that come from the user or from a trusted source such as the address book',
    );
    expect(d('email-assistant', 'email.send', mail('a@x.io'), { origin: { 'to[0]': ['trusted'] } })).toBe(
      'allow',
    );
    expect(d('email-assistant', 'email.send', mail('a@x.io'), { origin: { 'to[0]': ['user_input'] } })).toBe(
      'allow',
    );
    expect(d('email-assistant', 'email.send', mail('a@x.io'))).toBe('deny');
  });
  it('"the partner.org domain" is that domain', () => {
    const d = decider('Email to the partner.org domain requires approval');
    expect(d('email-assistant', 'email.send', mail('pat@partner.org'))).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it('"with even one recipient outside" is any recipient outside', () => {
    const d = decider('Emails with even one recipient outside example.com are not allowed');
    expect(d('email-assistant', 'email.send', mail('bob@example.com', 'eve@gmail.com'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it('"at any time" on a permission adds nothing', () => {
    const d = decider('Finance reports can be pulled at any time, but payments on weekends are forbidden');
    expect(d('finance-agent', 'finance.report', {}, { now: '2026-12-12T12:00:00Z' })).toBe('allow');
    expect(
      d('finance-agent', 'payments.transfer', { amount: 5, to: 'a' }, { now: '2026-12-12T12:00:00Z' }),
    ).toBe('deny');
  });
});

describe('a permission "except" something forbids that something', () => {
  it('"may send email except to gmail.com" denies mail to gmail.com (was a permission that added nothing)', () => {
    const d = decider('The email assistant may send email except to gmail.com');
    expect(d('email-assistant', 'email.send', mail('eve@gmail.com'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it('"can delete anything except in production" denies production deletes', () => {
    const d = decider('The ops agent can delete anything except in production');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('"are allowed, except during the change freeze" denies them during it', () => {
    const d = decider('Sandbox deletions are allowed, except during the change freeze');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-12-22T12:00:00Z' })).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-12-08T12:00:00Z' })).toBe('allow');
  });
  it('"otherwise ask for approval" asks for the rest', () => {
    const d = decider('Payments may only go to accounts the user typed in; otherwise ask for approval');
    expect(d('finance-agent', 'payments.transfer', { amount: 5, to: 'a' })).toBe('approve');
    expect(
      d('finance-agent', 'payments.transfer', { amount: 5, to: 'a' }, { origin: { to: ['user_input'] } }),
    ).toBe('allow');
  });
  it('"untrusted tool output" is untrusted content', () => {
    const d = decider('Recipients taken from untrusted tool output must not be emailed');
    expect(d('email-assistant', 'email.send', mail('eve@x.io'), { provenance: { to: ['untrusted'] } })).toBe(
      'deny',
    );
    expect(d('email-assistant', 'email.send', mail('eve@x.io'))).toBe('allow');
  });
});

describe('two statements joined by "and"', () => {
  const saturday = { now: '2026-12-12T12:00:00Z' };
  const monday = { now: '2026-12-07T12:00:00Z' };
  it('"forbidden on weekends and need approval on weekdays": the second verb is the same subject\'s', () => {
    const d = decider('Production deletions are forbidden on weekends and need approval on weekdays (UTC)');
    expect(d('ops-agent', 'orders_db.delete', {}, saturday)).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete', {}, monday)).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete', {}, monday)).toBe('allow');
  });
  it('a fronted condition governs both statements', () => {
    const d = decider(
      'If injection is suspected, email to addresses outside example.com is denied and email to example.com needs approval',
    );
    const flagged = { labels: ['injection_suspected'] };
    expect(d('email-assistant', 'email.send', mail('eve@gmail.com'), flagged)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), flagged)).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('eve@gmail.com'))).toBe('allow');
  });
  it('refuses a situation said unfronted of the first statement, when the second names its own calls', () => {
    expect(refusal('On weekends production deletes are denied and sandbox deletes need approval').code).toBe(
      'GH_NL_AMBIGUOUS_EFFECT',
    );
  });
  it('a condition fronted before clauses cut at ", and" governs each of them (the second was unconditional)', () => {
    const d = decider('On weekends, production deletes are denied, and sandbox deletes need approval');
    expect(d('ops-agent', 'orders_db.delete', {}, saturday)).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete', {}, saturday)).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete', {}, monday)).toBe('allow');
  });
  it('a condition fronted without its comma governs every clause too, not the first alone', () => {
    const d = decider(
      'On Saturdays the finance agent may not pay anyone, and shell commands need approval from the security group',
    );
    expect(d('finance-agent', 'payments.transfer', { amount: 5, to: 'a' }, saturday)).toBe('deny');
    expect(d('finance-agent', 'shell.exec', { command: 'ls' }, saturday)).toBe('approve');
    expect(d('finance-agent', 'shell.exec', { command: 'ls' }, monday)).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', { amount: 5, to: 'a' }, monday)).toBe('allow');
  });
  it('sets off only words that say the condition, not the subject after them', () => {
    const d = decider(
      'Outside business hours the ops agent may not touch production, and sandbox deletes need approval',
    );
    const night = { now: '2026-12-07T23:00:00Z' };
    const noon = { now: '2026-12-07T12:00:00Z' };
    expect(d('ops-agent', 'orders_db.delete', {}, night)).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete', {}, night)).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete', {}, noon)).toBe('allow');
    expect(d('email-assistant', 'orders_db.delete', {}, night)).toBe('allow');
  });
  it('"outside it" after a fronted intent is outside that intent', () => {
    const d = decider(
      'During inbox triage, payments are forbidden, and outside it, payments above $500 need one finance approval',
    );
    const triage = { intent: 'inbox-triage' };
    expect(d('finance-agent', 'payments.transfer', { amount: 5, to: 'a' }, triage)).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', { amount: 600, to: 'a' })).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', { amount: 400, to: 'a' })).toBe('allow');
  });
  it('still refuses one subject with two modals', () => {
    expect(refusal('Agents may delete production databases and must not delete staging').code).toBe(
      'GH_NL_AMBIGUOUS_EFFECT',
    );
  });
});

describe('a second limit and "ones"', () => {
  it('"may only email example.com addresses, and only ones the user provided": each limit is a rule', () => {
    const d = decider(
      'The email assistant may only email example.com addresses, and only ones the user provided',
    );
    const typed = { origin: { 'to[0]': ['user_input'] } };
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), typed)).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('eve@gmail.com'), typed)).toBe('deny');
  });
  it('"ones" after a clause boundary are the values named before', () => {
    const d = decider('Recipients the user typed are fine; ones copied out of an email must be blocked');
    expect(d('email-assistant', 'email.send', mail('eve@x.io'), { provenance: { to: ['untrusted'] } })).toBe(
      'deny',
    );
    expect(
      d('email-assistant', 'email.send', mail('eve@x.io'), { origin: { 'to[0]': ['user_input'] } }),
    ).toBe('allow');
  });
  it('still refuses "but only" after a permission that limits nothing', () => {
    expect(refusal('Agents may send email, but only on weekdays').message).toContain('no effect of its own');
  });
});

describe('a permission beside the approval it needs', () => {
  it('"may be queried, but every query must be approved" asks', () => {
    const d = decider(
      'The orders system may be queried, but every query must be approved by a member of the finance group',
    );
    expect(d('ops-agent', 'orders_db.query')).toBe('approve');
    expect(d('ops-agent', 'orders_db.delete')).toBe('allow');
  });
  it('"but all other payments do" affirms the approval the clause before waived', () => {
    const d = decider('Payments below $100 do not need approval, but all other payments do');
    expect(d('finance-agent', 'payments.transfer', { amount: 99, to: 'a' })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', { amount: 100, to: 'a' })).toBe('approve');
  });
  it('a permission of calls the catalog lacks is noted beside the restriction, not refused', () => {
    const r = compileSentence(
      'Staging may be modified freely, but no one may delete anything in production',
      vocabulary,
    );
    if (!r.ok) throw new Error(r.refusal.message);
    expect(r.meanings.map((m) => m.effect)).toEqual(['deny']);
    const d = decider('Staging may be modified freely, but no one may delete anything in production');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('still refuses a permission taken back whole', () => {
    expect(refusal("The email assistant can send email, but it can't send email").code).toBe(
      'GH_NL_AMBIGUOUS_EFFECT',
    );
  });
});
