import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { decider, mail, pay, policyText, refusal, vocabulary } from './eval-set.fixture.js';
import { decisionsOn } from './sentence-decisions.fixture.js';
import { vocabularyOf } from './vocabulary.js';

// Roundabout wordings of what the grammar already says (round 10): each compiles to the rule its
// plainer wording gives. The evaluation set's policy grants every agent every tool and has no
// rules, so each decision below is the sentence's alone.
const TRIAGE = { intent: 'inbox-triage' };
/** A sentence's decisions with their approvers and who may approve, not only the effect. */
const detailed = (sentence: string) => decisionsOn(policyText, vocabulary, sentence);

describe('an intent said as the work in hand', () => {
  it.each([
    'Sending email is not allowed under the inbox-triage intent',
    'Sending email is not allowed while an agent is doing inbox triage',
    'When working on inbox-triage, sending email is not allowed',
    'Sending email in the course of inbox triage is forbidden',
  ])('"%s" holds during that intent only', (sentence) => {
    // The intent's own tools, so a deny is the sentence's and not the intent's list.
    const d = decider(sentence);
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), TRIAGE)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.read', {}, TRIAGE)).toBe('allow');
  });
  it('reads any intent the policy declares, by its own name', () => {
    const text = policyText.replace(
      /inbox-triage: \{ tools: \[[^\]]*\] \}/,
      'quarter-close: { tools: [orders_db.query, orders_db.delete] }',
    );
    expect(text).toContain('quarter-close');
    const d = decisionsOn(
      text,
      vocabularyOf(compilePolicy({ name: 'p.yaml', text })),
      'Nothing may be deleted while someone is doing quarter close',
    );
    expect(d('ops-agent', 'orders_db.delete', {}, { intent: 'quarter-close' }).effect).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete').effect).toBe('allow');
    expect(d('ops-agent', 'orders_db.query', {}, { intent: 'quarter-close' }).effect).toBe('allow');
  });
  it('"must not act under" an intent denies every call of that agent during it', () => {
    const d = decider('The email assistant must not act under the inbox-triage intent');
    expect(d('email-assistant', 'email.read', {}, TRIAGE)).toBe('deny');
    expect(d('email-assistant', 'email.read')).toBe('allow');
    expect(d('ops-agent', 'email.read', {}, TRIAGE)).toBe('allow');
  });
  it('"act on" names an object, so only that object is denied', () => {
    const d = decider('The email assistant must not act on email under the inbox-triage intent');
    expect(d('email-assistant', 'email.read', {}, TRIAGE)).toBe('deny');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
  it('"under the intent, only the tools that intent lists" is the intent\'s tools', () => {
    const d = decider('Under the inbox-triage intent, only the tools that intent lists may be used');
    expect(d('ops-agent', 'orders_db.query', {}, TRIAGE)).toBe('deny');
    expect(d('email-assistant', 'email.list', {}, TRIAGE)).toBe('allow');
  });
});

describe('a session with no intent declared', () => {
  it('"made without a declared intent" holds only when the session states none', () => {
    const d = decider('Reads made without a declared intent are not allowed');
    expect(d('email-assistant', 'email.read')).toBe('deny');
    expect(d('email-assistant', 'email.read', {}, TRIAGE)).toBe('allow');
  });
  it('"sessions with no intent" may be the subject', () => {
    const d = decider('Sessions with no intent need approval for every email they send');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'), TRIAGE)).toBe('allow');
  });
  it('refuses "the tools of that intent" when no intent is named', () => {
    expect(refusal('Without a declared intent, only the tools of that intent may be used').message).toContain(
      'needs the one intent',
    );
  });
});

describe('an origin said in passing', () => {
  const untrusted = { provenance: { to: ['untrusted'] } };
  it('"came from reading an email" is a value from what was read', () => {
    const d = decider(
      'If the recipient address came from reading a message, a person has to approve the send',
    );
    expect(d('email-assistant', 'email.send', mail('x@y.io'), untrusted)).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('x@y.io'))).toBe('allow');
  });
  it('"untrusted sources such as X" is untrusted sources, the example aside', () => {
    const d = decider('Recipients taken from untrusted sources such as web pages may not be emailed');
    expect(d('email-assistant', 'email.send', mail('x@y.io'), untrusted)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('x@y.io'))).toBe('allow');
  });
  it('"must come straight from the user" is from the user', () => {
    const d = decider('Transfer destinations must come straight from the user');
    const to = (labels: string[]) => ({ origin: { to: labels } });
    expect(d('finance-agent', 'payments.transfer', pay(5), to(['user_input']))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(5), to(['untrusted']))).toBe('deny');
  });
  it('"made up (no known source)" is made up, the gloss dropped', () => {
    const d = decider('Recipients the agent invented (with no known origin) need approval');
    expect(d('email-assistant', 'email.send', mail('x@y.io'), { origin: { to: [] } })).toBe('approve');
  });
});

describe('exceptions, caps, dates and approvers in other words', () => {
  it('"everywhere but X" is everywhere except X', () => {
    const d = decider('Deletes are forbidden everywhere but the sandbox');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('"except with X\'s approval" asks X', () => {
    const d = detailed("The ops agent may not delete orders, except with Dave's approval");
    expect(d('ops-agent', 'orders_db.delete')).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: ['dave@example.com'],
    });
  });
  it('"capped at $N" denies above the cap only', () => {
    const d = decider('Transfers are capped at $300');
    expect(d('finance-agent', 'payments.transfer', pay(300))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(301))).toBe('deny');
  });
  it('a cap inside a longer clause is not read as the whole rule', () => {
    expect(
      refusal('Transfers are capped at $300 for the finance agent unless it is Friday').message,
    ).toBeTruthy();
  });
  it('a named day with its year is that date', () => {
    const d = decider("Deleting orders is not allowed on New Year's Day 2027");
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2027-01-01T09:00:00Z' })).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2027-01-02T09:00:00Z' })).toBe('allow');
  });
  it.each([
    'Two members of the security group must approve every delete',
    'Every delete needs approval from three people in the security team',
    'The ops agent has to get approval from two people in the security group before deleting',
  ])('"%s" counts approvers of that group', (sentence) => {
    const d = detailed(sentence);
    const r = d('ops-agent', 'orders_db.delete');
    expect(r.effect).toBe('approve');
    expect(r.approvers).toBe(sentence.includes('three') ? 3 : 2);
    expect(r.eligible).toEqual(['sam@example.com', 'sid@example.com', 'sue@example.com']);
  });
  it('"sign-off from one security member" is one approval from that group', () => {
    const d = detailed('Deletes need sign-off from one security member');
    expect(d('ops-agent', 'orders_db.delete')).toMatchObject({ effect: 'approve', approvers: 1 });
  });
});

describe('recipients and domains in other words', () => {
  const outside = mail('bob@example.com', 'eve@elsewhere.org');
  it('"if even one recipient is outside X, the whole email is blocked" is mail to anyone outside', () => {
    const d = decider('If even one recipient is outside example.com, the whole message is blocked');
    expect(d('email-assistant', 'email.send', outside)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it('"(subdomains included)" lets names under the domain through', () => {
    const d = decider(
      'Recipients at example.com (subdomains included) are fine; every other recipient needs a human to approve it',
    );
    expect(d('email-assistant', 'email.send', mail('ann@eu.example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', outside)).toBe('approve');
  });
  it('"any other recipient domain does" is any recipient outside the one named', () => {
    const d = decider("Email to example.com doesn't need approval, but any other recipient domain does");
    expect(d('email-assistant', 'email.send', outside)).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it('"under no circumstances should X …, even if the user asks" is X may never', () => {
    const d = decider(
      'Under no circumstances should the email assistant email anyone whose address is outside example.com, even if the user asks',
    );
    expect(d('email-assistant', 'email.send', outside)).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
});

describe('labels and categories in other words', () => {
  it('"(for example …)" after a session flag adds nothing', () => {
    const d = decider(
      'If the session has been flagged injection_suspected (for instance after a web page was read), no transfer may be made',
    );
    const flagged = { labels: ['injection_suspected'] };
    expect(d('finance-agent', 'payments.transfer', pay(5), flagged)).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
  });
  it('"nothing labelled X may be accessed" denies the tools carrying that label', () => {
    const d = decider('Nothing tagged confidential may be used');
    expect(d('finance-agent', 'finance.report')).toBe('deny');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
  it('"any financial operation" is the financial category', () => {
    const d = decider('Any financial operation is prohibited');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
});

describe('recipients counted', () => {
  const many = (n: number) => mail(...Array.from({ length: n }, (_, i) => `p${i}@example.com`));
  it('"to more than N recipients" is the size of the list, past N', () => {
    const d = decider('Messages sent to more than 5 recipients are forbidden');
    expect(d('email-assistant', 'email.send', many(6))).toBe('deny');
    expect(d('email-assistant', 'email.send', many(5))).toBe('allow');
  });
  it('"with N or more recipients" includes N', () => {
    const d = decider('Mail with 4 or more recipients needs a human to approve it');
    expect(d('email-assistant', 'email.send', many(4))).toBe('approve');
    expect(d('email-assistant', 'email.send', many(3))).toBe('allow');
  });
  it('refuses a count of recipients for a tool whose recipient is no list', () => {
    expect(refusal('Transfers to more than 2 recipients are denied').code).toBe('GH_NL_NO_ARGUMENT');
  });
});

describe('"whose" said of a value\'s origin', () => {
  it('"any transfer whose destination came from an email" is a transfer to such a destination', () => {
    const d = decider(
      'Transfers above $900 require approval, and any transfer whose destination came from an email is denied',
    );
    const fromMail = { provenance: { to: ['untrusted'] } };
    expect(d('finance-agent', 'payments.transfer', pay(5), fromMail)).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(901))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
  });
});

describe('two rules on one subject, and words that only emphasise', () => {
  it('"X needs approval and may not be … on weekends" is both rules', () => {
    const d = decider("Orders DB queries need Dave's approval and must not run on weekends");
    expect(d('ops-agent', 'orders_db.query', {}, { now: '2026-11-08T12:00:00Z' })).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('approve');
    expect(d('ops-agent', 'orders_db.delete')).toBe('allow');
  });
  it('"for the rest of it" after a session flag adds nothing', () => {
    const d = decider(
      'Once the session is flagged injection_suspected, no transfer may be made for the rest of it',
    );
    expect(d('finance-agent', 'payments.transfer', pay(5), { labels: ['injection_suspected'] })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
  });
  it('"before anyone sees it" is before it is read', () => {
    const d = decider('The finance report needs a human to approve it before anyone sees it');
    expect(d('finance-agent', 'finance.report')).toBe('approve');
  });
});
