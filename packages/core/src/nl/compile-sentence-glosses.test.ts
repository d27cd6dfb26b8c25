import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { compileSentence } from './compile-sentence.js';
import { decider, mail, pay, policyText, refusal, vocabulary } from './eval-set.fixture.js';
import { decisionsOn } from './sentence-decisions.fixture.js';
import { vocabularyOf } from './vocabulary.js';

// Glosses and roundabout wordings (round 11): each compiles to the rule its plainer wording
// gives. The evaluation set's policy grants every agent every tool and has no rules, so each
// decision below is the sentence's alone.
const detailed = (sentence: string) => decisionsOn(policyText, vocabulary, sentence);
const TRIAGE = { intent: 'inbox-triage' };
const SUSPECTED = { labels: ['injection_suspected'] };

describe('a gloss in brackets', () => {
  it.each([
    ["Order deletions need Oscar's sign-off (oscar@example.com)", 'ops-agent', 'orders_db.delete'],
    ['Carol must approve every payment (carol@example.com)', 'finance-agent', 'payments.transfer'],
    ['Shell commands need Sam to approve (sam@example.com) first', 'ops-agent', 'shell.exec'],
  ])('"%s": the address restates the approver named before it', (sentence, agent, tool) => {
    const d = detailed(sentence);
    const who = /\((\w+)@/.exec(sentence)?.[1];
    expect(d(agent, tool, tool === 'payments.transfer' ? pay(10) : {})).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: [`${who}@example.com`],
    });
    expect(d(agent, 'orders_db.query').effect).toBe('allow');
  });
  it('a bracketed address after no approval is left for the grammar, which refuses it', () => {
    expect(refusal('Emails to bob (bob@example.com) are blocked').code).toBe('GH_NL_UNPARSED');
  });
  it.each([
    'If a message is going to an external address (not @example.com), it needs approval',
    'External recipients (anything not @example.com) need approval',
  ])('"%s": "external" is outside the domain the brackets name', (sentence) => {
    const d = decider(sentence);
    expect(d('email-assistant', 'email.send', mail('partner@acme.io'))).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('ops@mail.example.com'))).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('carol@example.com'))).toBe('allow');
  });
  it('"internally (example.com)" is mail to that domain', () => {
    const d = decider('Email can be sent internally (example.com) but not to outside addresses');
    expect(d('email-assistant', 'email.send', mail('carol@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('carol@example.com', 'x@acme.io'))).toBe('deny');
  });
  it('"addresses ending in @example.com" are those at that domain, not its subdomains', () => {
    const d = decider('Only addresses ending in @example.com may receive email');
    expect(d('email-assistant', 'email.send', mail('carol@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('ops@mail.example.com'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('billing@example.com.attacker.net'))).toBe('deny');
  });
});

describe('approvers counted as members of a group', () => {
  it('"a security team member has to approve" is one of security', () => {
    const d = detailed('A security team member has to approve shell commands');
    expect(d('ops-agent', 'shell.exec')).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: ['sam@example.com', 'sid@example.com', 'sue@example.com'],
    });
  });
  it('"two people from security" without "group" is two of security', () => {
    const d = detailed('Two people from security must approve shell commands');
    expect(d('ops-agent', 'shell.exec')).toMatchObject({ effect: 'approve', approvers: 2 });
  });
  it('"needs one member of finance" after "any financial call" is one of finance', () => {
    const d = detailed('Any financial call needs one member of finance');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: ['carol@example.com', 'dave@example.com'],
    });
  });
});

describe('asides that change nothing', () => {
  it('"no matter who the recipient is" holds for every recipient', () => {
    const d = decider('Block email.send for the ops agent, no matter who the recipient is');
    expect(d('ops-agent', 'email.send', mail('carol@example.com'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('carol@example.com'))).toBe('allow');
  });
  it('"should not be able to" is "may not"', () => {
    const d = decider('The ops agent should not be able to delete orders');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
  it('"may go out, whoever they\'re addressed to" counts every email sent', () => {
    const d = decider("No more than 20 emails an hour may go out, whoever they're addressed to");
    expect(d('email-assistant', 'email.send', mail('x@acme.io'), { usage: 19 })).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('x@acme.io'), { usage: 20 })).toBe('deny');
  });
  it('"should make at most N a day" is the same bound as "may make"', () => {
    const d = decider('The finance agent should make at most 5 transfers a day');
    expect(d('finance-agent', 'payments.transfer', pay(1), { usage: 4 })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(1), { usage: 5 })).toBe('deny');
  });
});

describe('amounts said with a cap or a comparison', () => {
  it('"capped at 400; anything larger is refused": the bare figure is the amount', () => {
    const d = decider('Payments are capped at 400; anything larger is refused');
    expect(d('finance-agent', 'payments.transfer', pay(400))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(401))).toBe('deny');
  });
  it('"no single payment may be bigger than 900" denies what is over it', () => {
    const d = decider('No single payment may be bigger than 900');
    expect(d('finance-agent', 'payments.transfer', pay(900))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(901))).toBe('deny');
  });
  it('"go through by themselves" is a permission beside the approval of the rest', () => {
    const d = decider(
      'Transfers under 50 dollars go through by themselves; any other transfer needs approval',
    );
    expect(d('finance-agent', 'payments.transfer', pay(49))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(50))).toBe('approve');
  });
  it('"need approval on weekends and are blocked above 3000": two rules on one subject', () => {
    const d = decider('Transfers need approval on weekends and are blocked above 3000');
    expect(d('finance-agent', 'payments.transfer', pay(10), { now: '2026-11-07T12:00:00Z' })).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(3001))).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(10))).toBe('allow');
  });
  it("a second clause that names the same action again does not take the first one's days", () => {
    const d = decider('Transfers need approval on weekends; transfers are blocked above 3000');
    expect(d('finance-agent', 'payments.transfer', pay(3001))).toBe('deny');
  });
});

describe('hours, sources, labels and intents said another way', () => {
  it('"8 to 6 on weekdays" is office hours', () => {
    const d = decider('Orders can only be deleted 8 to 6 on weekdays');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-11-04T12:00:00Z' })).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-11-04T07:00:00Z' })).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-11-04T19:00:00Z' })).toBe('deny');
  });
  it('"copied from the body of an email" is a value that came from one', () => {
    const d = decider('Recipients copied from the body of an email need approval');
    const args = mail('x@acme.io');
    expect(d('email-assistant', 'email.send', args, { provenance: { 'to[0]': ['untrusted'] } })).toBe(
      'approve',
    );
    expect(d('email-assistant', 'email.send', args, { origin: { 'to[0]': ['user'] } })).toBe('allow');
  });
  it('"untrusted-derived recipients" are recipients from untrusted content', () => {
    const d = decider('Untrusted-derived recipients are blocked');
    const args = mail('x@acme.io');
    expect(d('email-assistant', 'email.send', args, { provenance: { 'to[0]': ['untrusted'] } })).toBe('deny');
    expect(d('email-assistant', 'email.send', args, { origin: { 'to[0]': ['user'] } })).toBe('allow');
  });
  it('"recipients must come from the address book": nothing else is a recipient', () => {
    const d = decider('Email recipients must come from the address book');
    const args = mail('x@acme.io');
    expect(d('email-assistant', 'email.send', args, { origin: { 'to[0]': ['user'] } })).toBe('deny');
    expect(d('email-assistant', 'email.send', args, { origin: { 'to[0]': ['trusted'] } })).toBe('allow');
  });
  it.each([
    'If the session is flagged for possible prompt injection, shell commands are blocked',
    'If the session is flagged for prompt injection, shell commands are blocked',
    'When the session is flagged as injection-suspected, shell commands are blocked',
  ])('"%s": the session label', (sentence) => {
    const d = decider(sentence);
    expect(d('ops-agent', 'shell.exec', {}, SUSPECTED)).toBe('deny');
    expect(d('ops-agent', 'shell.exec')).toBe('allow');
  });
  it.each([
    'While the inbox-triage intent is active, payments are blocked',
    'Payments are blocked when the agent is doing inbox triage',
    "Payments aren't part of inbox triage, so block them during it",
  ])('"%s" holds during that intent only', (sentence) => {
    const d = decider(sentence);
    expect(d('finance-agent', 'payments.transfer', pay(5), TRIAGE)).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
  });
});

describe('objects said another way', () => {
  it('"before it opens any email": reading one message, not listing the inbox', () => {
    const d = decider('The ops agent needs approval before it opens any email');
    expect(d('ops-agent', 'email.read')).toBe('approve');
    expect(d('ops-agent', 'email.list')).toBe('allow');
  });
  it('"may only email example.com": email is the verb, sent to that domain', () => {
    const d = decider('The ops agent may only email example.com');
    expect(d('ops-agent', 'email.send', mail('carol@example.com'))).toBe('allow');
    expect(d('ops-agent', 'email.send', mail('x@acme.io'))).toBe('deny');
  });
  it('"unless they target the sandbox database" leaves the sandbox out', () => {
    const d = decider('Deletes are forbidden unless they target the sandbox database');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it.each([
    'No deletions are allowed unless they target the sandbox database',
    'No deletions are allowed except on the sandbox database',
    'No emails are allowed except to example.com',
  ])('"%s": a subject said in the negative is never read as denying the exception', (sentence) => {
    // It once compiled to a deny of the very calls the exception permits (and nothing else).
    const compiled = compileSentence(sentence, vocabulary);
    if (!compiled.ok) return;
    const d = decider(sentence);
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('carol@example.com'))).toBe('allow');
  });
  it('"any other operation on it" after a named thing is refused: every other call on it, or at all?', () => {
    // It once denied every tool but order queries.
    expect(
      refusal('Queries on the orders database are fine, but any other operation on it is forbidden').code,
    ).toBe('GH_NL_AMBIGUOUS_EFFECT');
  });
  it('"anything that talks to the outside world" is external communication', () => {
    const d = decider('Anything that talks to the outside world is blocked');
    expect(d('email-assistant', 'email.send', mail('carol@example.com'))).toBe('deny');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
  it('"weekday ones" after "weekend order deletes" are weekday order deletes', () => {
    const d = decider('Weekend order deletes are forbidden and weekday ones need one approver');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-11-07T12:00:00Z' })).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
});

describe("an intent's tools and what it may not include", () => {
  it('"the triage tools" during inbox triage are the tools that intent lists', () => {
    const d = decider('During inbox triage, the email assistant may only use the triage tools');
    expect(d('email-assistant', 'email.list', {}, TRIAGE)).toBe('allow');
    expect(d('email-assistant', 'contacts.lookup', {}, TRIAGE)).toBe('deny');
    expect(d('email-assistant', 'contacts.lookup')).toBe('allow');
  });
  it('"the inbox tools" are not the intent\'s: its first word names the mail, not the task', () => {
    expect(refusal('During inbox triage, the email assistant may only use the inbox tools').code).toBe(
      'GH_NL_UNPARSED',
    );
  });
  it('the tools of one intent said during another are refused', () => {
    const text = policyText.replace(
      /inbox-triage: \{ tools: \[[^\]]*\] \}/,
      '$&\n  quarter-close: { tools: [orders_db.query] }',
    );
    expect(text).toContain('quarter-close');
    const r = compileSentence(
      'During inbox triage, the email assistant may only use the close tools',
      vocabularyOf(compilePolicy({ name: 'p.yaml', text })),
    );
    expect(r.ok ? '' : r.refusal.message).toMatch(/those of quarter-close, not of inbox-triage/);
  });
  it('"inbox triage may not include sending email outside example.com" holds during it', () => {
    const d = decider('Inbox triage may not include sending email outside example.com');
    expect(d('email-assistant', 'email.send', mail('x@acme.io'), TRIAGE)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('carol@example.com'), TRIAGE)).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('x@acme.io'))).toBe('allow');
  });
  it('"may not include" after words that are no intent is refused', () => {
    expect(refusal('The email assistant must not include sending email').code).toBe('GH_NL_UNPARSED');
  });
});

describe('two rules, each with its own approver', () => {
  it.each([
    "Finance reports need Fiona's approval and transfers need Carol's",
    "Finance reports need Fiona's approval; transfers need Carol's approval",
  ])('"%s": each call its own person', (sentence) => {
    const d = detailed(sentence);
    expect(d('finance-agent', 'finance.report')).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: ['fiona@example.com'],
    });
    expect(d('finance-agent', 'payments.transfer', pay(5))).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: ['carol@example.com'],
    });
  });
});

describe('more of the same families, from the earlier blind sets', () => {
  it('"outside business hours (9 to 5, Monday to Friday)" is those hours on weekdays', () => {
    const d = decider("The ops agent can't delete orders outside business hours (9 to 5, Monday to Friday)");
    expect(d('ops-agent', 'orders_db.delete')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-11-04T18:00:00Z' })).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-11-07T12:00:00Z' })).toBe('deny');
  });
  it('"read individual email messages" is the tool that reads one', () => {
    const d = decider('It is forbidden for the email assistant to read individual email messages');
    expect(d('email-assistant', 'email.read')).toBe('deny');
    expect(d('email-assistant', 'email.list')).toBe('allow');
  });
  it('"outside domains (anything but example.com)" are those outside it', () => {
    const d = decider('Email to outside domains (anything but example.com) is blocked');
    expect(d('email-assistant', 'email.send', mail('x@acme.io'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('carol@example.com'))).toBe('allow');
  });
  it('"go out freely … is stopped": a permission, and a block of the rest', () => {
    const d = decider(
      'Messages addressed to people at example.com go out freely, but anything addressed elsewhere is stopped',
    );
    expect(d('email-assistant', 'email.send', mail('carol@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('x@acme.io'))).toBe('deny');
  });
  it('"a contact-book address" is one from the address book', () => {
    const d = decider(
      "Sending to a contact-book address is fine; sending to an address from an email needs Dave's OK",
    );
    const args = mail('x@acme.io');
    expect(d('email-assistant', 'email.send', args, { provenance: { 'to[0]': ['untrusted'] } })).toBe(
      'approve',
    );
    expect(d('email-assistant', 'email.send', args, { origin: { 'to[0]': ['trusted'] } })).toBe('allow');
  });
  it('"internal ones" after "external email" are internal email', () => {
    const d = decider(
      'Block external email to addresses that came from untrusted content; internal ones are OK',
    );
    const untrusted = { provenance: { 'to[0]': ['untrusted'] } };
    expect(d('email-assistant', 'email.send', mail('x@acme.io'), untrusted)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('carol@example.com'), untrusted)).toBe('allow');
  });
});

describe('a bracketed address of another person', () => {
  it('is not dropped for a policy person of the same first name: the sentence is refused', () => {
    expect(refusal("Order deletions need Oscar's sign-off (oscar@other.org)").code).toBe('GH_NL_UNPARSED');
  });
});
