import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { compileSentence } from './compile-sentence.js';
import { declaredGroups, ruleFromMeaning } from './emit-rule.js';
import { decider, mail, pay, refusal, vocabulary } from './eval-set.fixture.js';
import { type DecisionExtra, decisionsOn } from './sentence-decisions.fixture.js';
import { vocabularyOf } from './vocabulary.js';

// The evaluation set's policy: every agent holds every grant and there are no rules, so each
// decision below is the sentence's alone.

/** The sentence's rules added to the evaluation set's policy, as a function from a request to its effect. */

describe('normalisation: symbols, units and number words', () => {
  it.each([
    'Payments ≥ 5000 USD need approval',
    'Transfers of USD 5,000 or more require approval',
    'Any payment of five thousand dollars or more must be approved by a human',
    'payments.transfer: amount >= 5000 -> requires approval',
  ])('"%s" asks a person from 5,000 on', (sentence) => {
    const d = decider(sentence);
    expect(d('finance-agent', 'payments.transfer', pay(4999.99))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(5000))).toBe('approve');
  });
  it('reads "seven thousand five hundred" as 7,500', () => {
    const d = decider('Transfers above seven thousand five hundred dollars are forbidden');
    expect(d('finance-agent', 'payments.transfer', pay(7500))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(7501))).toBe('deny');
  });
  it("refuses a figure in euros or pounds: the tool's amount carries no currency", () => {
    for (const sentence of [
      'Transfers above seven thousand five hundred euros are forbidden',
      'Transfers over €1,000 need two approvals',
      'Payments of more than 500 GBP are denied',
      'Transfers above 1,000 euros need approval',
    ])
      expect(refusal(sentence).message).toContain('has no currency');
  });
  it('compares recipient domains without regard to case', () => {
    const d = decider('The email assistant may only email people at example.com');
    expect(d('email-assistant', 'email.send', mail('Bob@EXAMPLE.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('bob@example.com.evil.io'))).toBe('deny');
  });
  it('counts an address whose local part relays elsewhere as outside the domain', () => {
    // x%evil.test@example.com and evil.test!x@example.com are delivered by example.com's mail server to evil.test.
    const d = decider('Emails leaving the company need approval');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('x%evil.test@example.com'))).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('evil.test!x@example.com'))).toBe('approve');
  });
});

describe('clauses', () => {
  it('states one rule per restricting clause', () => {
    const r = compileSentence(
      'Transfers over $1,000 need a human OK, and transfers over $10,000 are not allowed at all',
      vocabulary,
    );
    expect(r.ok && r.meanings.map((m) => m.effect)).toEqual(['approve', 'deny']);
    const d = decider(
      'Transfers over $1,000 need a human OK, and transfers over $10,000 are not allowed at all',
    );
    expect(d('finance-agent', 'payments.transfer', pay(10000))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(10001))).toBe('deny');
  });
  it('restricts "anything else" to what the clause before did not permit', () => {
    const d = decider('Small payments (up to $250) are fine; anything larger has to be approved');
    expect(d('finance-agent', 'payments.transfer', pay(250))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(250.01))).toBe('approve');
  });
  it('takes "it" and "there" from the clause before, and the subject with them', () => {
    const d = decider('Reading the orders DB is fine for ops; deleting from it is not');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('refuses a sentence that permits and restricts the same calls', () => {
    expect(refusal('The email assistant can send email, but it can not send email').code).toBe(
      'GH_NL_AMBIGUOUS_EFFECT',
    );
    expect(refusal('Payments over $1,000 are fine, but payments over $1,000 are forbidden').code).toBe(
      'GH_NL_AMBIGUOUS_EFFECT',
    );
  });
  it('reads a narrower restriction after a permission as a carve-out, not a contradiction', () => {
    const d = decider('Agents may send email, but never to gmail.com');
    expect(d('email-assistant', 'email.send', mail('bob@gmail.com'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('bob@example.com'))).toBe('allow');
  });
  it('refuses "anything else" with nothing before it', () => {
    expect(refusal('Anything else needs approval').code).toBe('GH_NL_UNSUPPORTED');
  });
});

describe('negation and "only"', () => {
  it('reads "does not need approval" as a permission, never as an approval rule', () => {
    const r = compileSentence('Deleting email does not require approval', vocabulary);
    expect(r.ok && r.meanings.map((m) => m.effect)).toEqual(['allow']);
  });
  it('reads "only" before a restriction as its condition, not as its complement', () => {
    const d = decider('Only transfers over $1,000 need approval');
    expect(d('finance-agent', 'payments.transfer', pay(1001))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(1000))).toBe('allow');
  });
  it('still reads "may only" as denying what it does not name', () => {
    const d = decider('The finance agent may only pay up to $5,000');
    expect(d('finance-agent', 'payments.transfer', pay(5001))).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(5000))).toBe('allow');
  });
});

describe('conditions people write', () => {
  it('reads a span of dates, the last day included', () => {
    const d = decider('Nothing gets deleted from the sandbox DB between Dec 20, 2026 and Jan 4, 2027');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2027-01-04T23:00:00Z' })).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2027-01-05T01:00:00Z' })).toBe('allow');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-12-19T23:00:00Z' })).toBe('allow');
  });
  it('breaks "only" over two conditions into one rule for each', () => {
    const d = decider('Payments can only be made during business hours, 09:00-17:00 UTC, Monday to Friday');
    expect(d('finance-agent', 'payments.transfer', pay(1), { now: '2026-12-07T10:00:00Z' })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(1), { now: '2026-12-07T17:30:00Z' })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(1), { now: '2026-12-05T12:00:00Z' })).toBe('deny');
  });
  it('names a freeze by its season only when the declared freeze falls in it', () => {
    expect(decider('Over the holiday freeze, agents cannot delete anything in the sandbox')).toBeTypeOf(
      'function',
    );
    expect(refusal('During the spring freeze, no deletes').code).toBe('GH_NL_UNPARSED');
  });
  it('asks for approval unless the user gave the payee', () => {
    const d = decider(
      'Payments over $1,000 need approval, except when the user entered the payee themselves',
    );
    expect(d('finance-agent', 'payments.transfer', pay(1500), { origin: { to: ['user_input'] } })).toBe(
      'allow',
    );
    expect(d('finance-agent', 'payments.transfer', pay(1500), { provenance: { to: ['untrusted'] } })).toBe(
      'approve',
    );
  });
});

describe('approvers and exemptions', () => {
  it('refuses one named person or an owner as the approver rather than asking anyone', () => {
    expect(refusal('Every outbound email needs alice@example.com to approve it').message).toContain(
      'cannot name one person',
    );
    expect(refusal("Emails outside the company require approval from the assistant's owner").code).toBe(
      'GH_NL_UNSUPPORTED',
    );
  });
  it('exempts tools by namespace', () => {
    const d = decider('The email assistant may not use any tool except the email and contacts tools');
    expect(d('email-assistant', 'payments.transfer', pay(1))).toBe('deny');
    expect(d('email-assistant', 'contacts.lookup')).toBe('allow');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
  it('refuses a rule on a resource fact none of its tools has', () => {
    expect(refusal('Writing to the settings requires approval').code).toBe('GH_NL_NO_TOOL');
  });
});

describe('names', () => {
  it('does not read "the email assistant" as an agent called assistant doing email', () => {
    const other = vocabularyOf(
      compilePolicy({
        name: 'p.yaml',
        text: 'version: 1\ntools:\n  email.send: { categories: [external_communication] }\n  payments.pay: { categories: [financial] }\nagents:\n  assistant: { owner: a@example.com, grants: ["*"] }\n',
      }),
    );
    const r = compileSentence('The email assistant cannot access financial systems', other);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.refusal.unparsed).toContain('assistant');
    expect(compileSentence('The assistant cannot pay anyone', other).ok).toBe(true);
  });
});

// Sentences that once compiled into a rule deciding some request differently from what they
// say; each must now be refused with a reason, or compile exactly.
describe('misreadings are refused, never compiled half-right', () => {
  it('refuses a figure in a unit the tool does not count in', () => {
    for (const s of [
      'Transfers over 1,000 shares need approval.',
      'Transfers over 500 cents need approval.',
      'Payments over 10% of the balance need approval.',
      'Transfers over 1,000 yen need approval.',
    ]) {
      const r = refusal(s);
      expect(r.code, s).toBe('GH_NL_UNSUPPORTED');
      expect(r.message, s).toMatch(/has no unit/);
    }
  });

  it('refuses an exemption that exempts none of the tools the rule covers', () => {
    const r = refusal('No agent except finance may pay.');
    expect(r.code).toBe('GH_NL_UNSUPPORTED');
    expect(r.message).toContain('except the finance agent');
    expect(decider('No agent except the finance agent may pay.')('finance-agent', 'payments.transfer')).toBe(
      'allow',
    );
  });

  it('reads "…, but only on weekdays" after a restriction into it, not as a prohibition of its own', () => {
    const d = decider('Payments over $1,000 need approval, but only on weekdays.');
    expect(d('finance-agent', 'payments.transfer', pay(2000))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(2000), { now: '2026-11-07T12:00:00Z' })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(20))).toBe('allow');
  });

  it('refuses a permission and a restriction run together in one clause', () => {
    const r = refusal('Payments under $100 are fine, payments need approval.');
    expect(r.code).toBe('GH_NL_AMBIGUOUS_EFFECT');
    // The modal "may … with approval" is one statement and still compiles.
    expect(
      compileSentence(
        'Financial reports may only be pulled with approval from someone in finance',
        vocabulary,
      ).ok,
    ).toBe(true);
  });

  it('refuses conditions that can never hold together', () => {
    expect(refusal('The ops agent may not run commands after 9pm or before 6am.').message).toMatch(
      /two hours conditions/,
    );
    expect(refusal('Payments under $10 or over $10,000 need approval.').message).toMatch(/no amount is/);
  });

  it.each([
    'Payments at night or on weekends need approval.',
    'Payments over $1,000 or to gmail.com need approval.',
    'Payments by the research agent or over $1,000 need approval.',
    'Payments at night and on weekends need approval.',
  ])('refuses conditions joined by a connector nothing consumed: "%s"', (sentence) => {
    expect(refusal(sentence).message).toMatch(/conditions joined by/);
  });
  it('still reads two conditions that sit side by side as both holding', () => {
    const d = decider('No payments on weekdays after 6pm.');
    expect(d('finance-agent', 'payments.transfer', pay(10), { now: '2026-11-04T19:00:00Z' })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(10), { now: '2026-11-07T19:00:00Z' })).toBe('allow');
  });
  it('compiles a range of amounts and inclusive bounds exactly', () => {
    const range = decider('Payments between $100 and $500 need approval.');
    expect(range('finance-agent', 'payments.transfer', pay(99))).toBe('allow');
    expect(range('finance-agent', 'payments.transfer', pay(100))).toBe('approve');
    expect(range('finance-agent', 'payments.transfer', pay(500))).toBe('approve');
    expect(range('finance-agent', 'payments.transfer', pay(501))).toBe('allow');
    const max = decider('Payments max $200 are fine; anything larger is blocked.');
    expect(max('finance-agent', 'payments.transfer', pay(200))).toBe('allow');
    expect(max('finance-agent', 'payments.transfer', pay(201))).toBe('deny');
    const atLeast = decider('Transfers larger than or equal to $1,000 need approval.');
    expect(atLeast('finance-agent', 'payments.transfer', pay(999))).toBe('allow');
    expect(atLeast('finance-agent', 'payments.transfer', pay(1000))).toBe('approve');
  });
});

describe('words that carry meaning are never skipped', () => {
  it.each([
    ['The ops agent may not delete its own records.', 'own'],
    ['Either finance or security must approve payments over $1,000.', 'either'],
    ['The research agent may not pay over $1,000; other agents need approval.', 'other'],
    ['Payments of over $1,000 in total need approval.', 'total'],
    ['Payments over $1000 need 2 approvals, from finance.', 'finance'],
  ])('refuses "%s", naming "%s"', (sentence, word) => {
    const r = refusal(sentence);
    expect(r.code).toBe('GH_NL_UNPARSED');
    expect(r.unparsed).toContain(word);
  });
  it('refuses a relative clause with an action of its own', () => {
    expect(refusal('Agents may not run code that deletes data.').message).toContain('that deletes');
  });
  it('refuses an object that no tool of the rule is', () => {
    const r = refusal('Agents may not send email with confidential data.');
    expect(r.code).toBe('GH_NL_UNSUPPORTED');
    expect(r.message).toContain('finance.report');
  });
});

describe('subjects and facts are read where they stand', () => {
  it.each([
    'The email assistant may not send email to the finance agent.',
    'The ops agent may not pay the finance agent.',
    'Payments by the ops agent to the finance agent need approval.',
  ])('refuses an agent a call reaches: "%s"', (sentence) => {
    const r = refusal(sentence);
    expect(r.code).toBe('GH_NL_UNSUPPORTED');
    expect(r.message).toContain('not the agent a call reaches');
  });
  it('refuses two agent names run together instead of taking both as subjects', () => {
    expect(refusal('The research assistant may not send email.').unparsed).toEqual(['research', 'assistant']);
  });
  it('refuses two values of one resource fact, which no tool has at once', () => {
    expect(refusal('Deletes in production or staging need approval.').message).toMatch(/has one env/);
  });
  it("refuses a count of one tool's calls, which session.calls is not", () => {
    expect(refusal('Agents may not send more than 5 emails in a session.').code).toBe('GH_NL_UNPARSED');
    expect(decider('Sending email after more than 20 calls in a session requires approval')).toBeTypeOf(
      'function',
    );
  });
});

describe('groups, recipients and objects are not dropped', () => {
  it.each([
    ['Emails to finance need approval.', 'finance'],
    ['Emails outside the company need approval from security and finance.', 'finance'],
  ])('refuses a group read as an object: "%s"', (sentence, word) => {
    expect(refusal(sentence).unparsed).toContain(word);
  });
  it('refuses recipients inside and outside at once', () => {
    expect(refusal('Emails to external recipients and colleagues need approval.').message).toMatch(
      /two conditions on the recipients/,
    );
  });
  it('refuses an object a condition argument narrows away', () => {
    expect(refusal('Do not email confidential data to anyone outside the company.').message).toContain(
      'finance.report',
    );
  });
});

describe('phrasings added with the hardening', () => {
  it('reads a dash between two dates as a span through the second', () => {
    const d = decider('Sandbox deletes are blocked 2026-12-20–2027-01-04.');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2027-01-04T12:00:00Z' })).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2027-01-05T12:00:00Z' })).toBe('allow');
  });
  it('reads "by the X agent only" as only that agent', () => {
    const d = decider('Payments can be made by the finance agent only.');
    expect(d('finance-agent', 'payments.transfer', pay(10))).toBe('allow');
    expect(d('ops-agent', 'payments.transfer', pay(10))).toBe('deny');
  });
  it('reads "except those under" as the condition negated', () => {
    const d = decider('All payments need approval except those under $50.');
    expect(d('finance-agent', 'payments.transfer', pay(49))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(50))).toBe('approve');
  });
  it('refuses a dot that may group thousands', () => {
    expect(refusal('Payments over $1.000 need approval.').message).toMatch(/group thousands/);
  });
});

describe('approvers are people', () => {
  it.each([
    'Transfers over $1,000 need approval from the finance agent.',
    'Transfers over $1,000 must be approved by the ops agent.',
    'Payments need approval from finance or the ops agent.',
  ])('refuses an agent as approver: "%s"', (sentence) => {
    expect(refusal(sentence).message).toContain('an agent cannot approve');
  });
  it('still reads "by the X agent" before the effect as the subject', () => {
    const d = decider('Payments by the ops agent need approval.');
    expect(d('ops-agent', 'payments.transfer', pay(10))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(10))).toBe('allow');
  });
});

// A catalog where only some tools state their env (the quickstart's shape), every agent holding
// every grant and no rules: each decision below is the sentence's alone.
const partialText = `
version: 1
tools:
  email.read: { categories: [read], labels: [untrusted] }
  email.send:
    categories: [external_communication]
    schema: { type: object, properties: { to: { type: array, items: { type: string } }, body: { type: string } } }
  contacts.lookup: { categories: [read], labels: [trusted] }
  orders_db.query: { categories: [read], resource: { system: orders, env: production } }
  orders_db.delete: { categories: [delete], resource: { system: orders, env: production } }
  sandbox_db.delete: { categories: [delete], resource: { system: sandbox, env: staging } }
  payments.transfer:
    categories: [financial]
    schema: { type: object, properties: { amount: { type: number }, to: { type: string } } }
  finance.report: { categories: [read], labels: [confidential] }
agents:
  email-assistant: { owner: alice@example.com, grants: ["*"] }
  ops-agent: { owner: oscar@example.com, grants: ["*"] }
  finance-agent: { owner: fiona@example.com, grants: ["*"] }
groups:
  finance: [carol@example.com, dave@example.com]
intents:
  inbox-triage: { tools: [email.read, email.send] }
`;
const partial = vocabularyOf(compilePolicy({ name: 'policy.yaml', text: partialText }));
/** Decisions on the partial catalog: effect and approver count. */
const decisionsOf = (sentence: string) => decisionsOn(partialText, partial, sentence);
/** Effects on the partial catalog. */
const effectOf = (sentence: string) => {
  const d = decisionsOf(sentence);
  return (agent: string, tool: string, args: Record<string, unknown> = {}, extra: DecisionExtra = {}) =>
    d(agent, tool, args, extra).effect;
};
const refusedOnPartial = (sentence: string) => {
  const r = compileSentence(sentence, partial);
  if (r.ok) throw new Error(`compiled: ${JSON.stringify(r.meanings.map((m) => ruleFromMeaning(m, 'r')))}`);
  return r.refusal;
};

describe('a resource fact is about the tools that state it', () => {
  it.each([
    'Everything that hits production requires a person to approve it.',
    'Any action on the production environment needs approval.',
  ])('"%s" leaves tools without an env alone', (sentence) => {
    const d = effectOf(sentence);
    expect(d('ops-agent', 'orders_db.query')).toBe('approve');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
    expect(d('finance-agent', 'finance.report')).toBe('allow');
  });
  it('denies production reads for all but the exempted agent, and nothing else', () => {
    const d = effectOf('Reads against production are off limits for every agent except the ops agent.');
    expect(d('email-assistant', 'orders_db.query')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
    expect(d('email-assistant', 'email.read')).toBe('allow');
    expect(d('finance-agent', 'finance.report')).toBe('allow');
  });
});

describe('a permission bounded from above is a cap', () => {
  it.each([
    'The finance agent may pay at most $250 per payment.',
    'The finance agent can transfer no more than 250 dollars in a single transfer.',
    'The finance agent may transfer up to $250 per transaction.',
  ])('"%s" denies the finance agent above the cap and leaves others alone', (sentence) => {
    const d = effectOf(sentence);
    expect(d('finance-agent', 'payments.transfer', pay(250))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(250.01))).toBe('deny');
    expect(d('ops-agent', 'payments.transfer', pay(9000))).toBe('allow');
  });
  it('keeps the cap when another clause restricts something else', () => {
    const d = effectOf('The finance agent may pay up to $500, and production deletes need approval.');
    expect(d('finance-agent', 'payments.transfer', pay(501))).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(500))).toBe('allow');
  });
  it('keeps a permission said as a statement a permission', () => {
    const r = compileSentence('Payments up to $250 are fine.', partial);
    expect(r.ok && r.meanings.every((m) => m.effect === 'allow')).toBe(true);
  });
});

describe('business hours stated in brackets', () => {
  it.each([
    'Outside office hours (08:00-18:00 UTC, Mon-Fri), deletes in production need approval.',
    'Production deletes need approval outside working hours (8am–6pm UTC, Monday through Friday).',
  ])('"%s" asks outside the hours and on the weekend, not inside', (sentence) => {
    const d = effectOf(sentence);
    const at = (now: string) => d('ops-agent', 'orders_db.delete', {}, { now });
    expect(at('2026-11-04T12:00:00Z')).toBe('allow'); // Wednesday noon
    expect(at('2026-11-04T19:00:00Z')).toBe('approve'); // Wednesday evening
    expect(at('2026-11-04T06:00:00Z')).toBe('approve'); // Wednesday early
    expect(at('2026-11-07T12:00:00Z')).toBe('approve'); // Saturday noon
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-11-07T12:00:00Z' })).toBe('allow');
  });
  it('reads the night from its brackets', () => {
    const d = effectOf('Payments overnight (23:00-05:00 UTC) are not allowed.');
    expect(d('finance-agent', 'payments.transfer', pay(1), { now: '2026-11-04T02:00:00Z' })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(1), { now: '2026-11-04T06:00:00Z' })).toBe('allow');
  });
  it('reads weekday and weekend as adjectives', () => {
    const d = effectOf('Weekend payments over $100 are blocked.');
    expect(d('finance-agent', 'payments.transfer', pay(101), { now: '2026-11-08T12:00:00Z' })).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(101), { now: '2026-11-04T12:00:00Z' })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(100), { now: '2026-11-08T12:00:00Z' })).toBe('allow');
  });
});

describe('amount bounds that include the figure', () => {
  it.each([
    'Transfers at or above $700 are denied.',
    'Payments equal to or greater than $700 are blocked.',
    'Any payment of $700 or over gets blocked.',
  ])('"%s" denies from 700 on', (sentence) => {
    const d = effectOf(sentence);
    expect(d('finance-agent', 'payments.transfer', pay(699.99))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(700))).toBe('deny');
  });
  it('reads "at or below" as the upper bound it is', () => {
    const d = effectOf('Transfers at or below $30 are fine; anything more needs approval.');
    expect(d('finance-agent', 'payments.transfer', pay(30))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(31))).toBe('approve');
  });
});

describe('approvers counted as people', () => {
  it.each([
    ['Deletes in production need sign-off by two people.', 2],
    ['Production deletes must be approved by one person.', 1],
    ['Every production delete needs somebody to OK it first.', 1],
    ['Production deletes require three humans to approve them.', 3],
    ['Deletes in production need a second pair of eyes.', 1],
  ])('"%s" asks %i', (sentence, n) => {
    const d = decisionsOf(sentence);
    expect(d('ops-agent', 'orders_db.delete')).toEqual({ effect: 'approve', approvers: n });
    expect(d('ops-agent', 'sandbox_db.delete').effect).toBe('allow');
  });
  it.each([
    'Payments need one approval from somebody in finance.',
    'Payments need approval by at least one member of finance.',
    'Payments need one person from finance to approve.',
  ])('"%s" asks one person of finance', (sentence) => {
    const r = compileSentence(sentence, partial);
    expect(r.ok && r.meanings[0]?.approval).toEqual({ approvers: 1, groups: ['finance'] });
  });
  it('holds a call for a person to review', () => {
    const d = effectOf('Hold every delete in production for a human to review.');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
});

describe('prohibitions and permissions said other ways', () => {
  it.each([
    'Disable deletes for every agent.',
    'Turn off deleting.',
    'Deletes get denied.',
    'Deletes should be rejected outright.',
    'Nobody deletes anything. Period.',
  ])('"%s" denies deletes', (sentence) => {
    const d = effectOf(sentence);
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
  it.each([
    'The sandbox is off limits to the email assistant.',
    'The email assistant has no business touching the sandbox.',
    'The email assistant can no longer use the sandbox.',
  ])('"%s" keeps one agent off one system', (sentence) => {
    const d = effectOf(sentence);
    expect(d('email-assistant', 'sandbox_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
  it('reads a permission as a statement, then what is not permitted', () => {
    const d = effectOf('Payments under $40 are auto-approved; anything bigger is blocked.');
    expect(d('finance-agent', 'payments.transfer', pay(39))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(40))).toBe('deny');
  });
  it('reads "only allow" as a limit', () => {
    const d = effectOf('Only allow transfers under $10,000.');
    expect(d('finance-agent', 'payments.transfer', pay(9999))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(10000))).toBe('deny');
  });
  it('reads "only X is permitted to"', () => {
    const d = effectOf('Only the finance agent is permitted to pull the finance report.');
    expect(d('finance-agent', 'finance.report')).toBe('allow');
    expect(d('ops-agent', 'finance.report')).toBe('deny');
  });
  it('reads a category by its own name', () => {
    const d = effectOf('The email assistant may not use anything in the delete category.');
    expect(d('email-assistant', 'orders_db.delete')).toBe('deny');
    expect(d('email-assistant', 'orders_db.query')).toBe('allow');
  });
  it('reads "unless they\'re …" as the condition negated', () => {
    const d = effectOf("Every transfer needs approval, unless they're $25 or less.");
    expect(d('finance-agent', 'payments.transfer', pay(25))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(26))).toBe('approve');
  });
});

describe('dates', () => {
  const at = (d: ReturnType<typeof effectOf>, now: string) => d('ops-agent', 'orders_db.delete', {}, { now });
  it('reads a span of days given in brackets after a freeze', () => {
    const d = effectOf('No deletes during the spring freeze (March 2, 2027 through March 6, 2027).');
    expect(at(d, '2027-03-01T12:00:00Z')).toBe('allow');
    expect(at(d, '2027-03-02T03:00:00Z')).toBe('deny');
    expect(at(d, '2027-03-06T22:00:00Z')).toBe('deny');
    expect(at(d, '2027-03-07T02:00:00Z')).toBe('allow');
  });
  it('reads a dash between two dates with years as a span through the second', () => {
    const d = effectOf('No deletes Mar 2, 2027 – Mar 6, 2027.');
    expect(at(d, '2027-03-01T12:00:00Z')).toBe('allow');
    expect(at(d, '2027-03-06T22:00:00Z')).toBe('deny');
    expect(at(d, '2027-03-07T02:00:00Z')).toBe('allow');
  });
  it('takes the year of the last date for the first', () => {
    const d = effectOf('Block deletes from Dec 30 through Jan 2, 2027.');
    expect(at(d, '2026-12-29T12:00:00Z')).toBe('allow');
    expect(at(d, '2026-12-31T12:00:00Z')).toBe('deny');
    expect(at(d, '2027-01-03T12:00:00Z')).toBe('allow');
  });
  it.each([
    ['Deletes are blocked until March 1, 2027.', '2027-02-28T12:00:00Z', '2027-03-01T12:00:00Z'],
    ['Deletes are blocked through February 28, 2027.', '2027-02-28T12:00:00Z', '2027-03-01T12:00:00Z'],
  ])('"%s" ends the span', (sentence, inside, after) => {
    const d = effectOf(sentence);
    expect(at(d, inside)).toBe('deny');
    expect(at(d, after)).toBe('allow');
    expect(at(d, '2026-11-04T12:00:00Z')).toBe('deny');
  });
  it('starts a span and closes one day', () => {
    const from = effectOf('Beginning March 1, 2027, the ops agent may no longer delete anything.');
    expect(at(from, '2027-02-28T12:00:00Z')).toBe('allow');
    expect(at(from, '2027-03-01T12:00:00Z')).toBe('deny');
    const day = effectOf('No deletes on 2027-02-14.');
    expect(at(day, '2027-02-13T22:00:00Z')).toBe('allow');
    expect(at(day, '2027-02-14T12:00:00Z')).toBe('deny');
    expect(at(day, '2027-02-15T02:00:00Z')).toBe('allow');
  });
});

describe('labels, intents and provenance said other ways', () => {
  it.each([
    'Anything marked confidential needs approval.',
    'Tools labelled confidential need approval before any agent uses them.',
  ])('"%s" covers the confidential tools only', (sentence) => {
    const d = effectOf(sentence);
    expect(d('finance-agent', 'finance.report')).toBe('approve');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
  it('reads tools that return untrusted content', () => {
    const d = effectOf('The ops agent may not call tools that return untrusted content.');
    expect(d('ops-agent', 'email.read')).toBe('deny');
    expect(d('ops-agent', 'contacts.lookup')).toBe('allow');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
  it('reads "untrusted tools" as the catalog\'s label', () => {
    const d = effectOf('Untrusted tools need approval.');
    expect(d('email-assistant', 'email.read')).toBe('approve');
    expect(d('email-assistant', 'contacts.lookup')).toBe('allow');
  });
  it('reads a session that reads a label, and "no X may be sent"', () => {
    const d = effectOf('Once a session reads confidential data, no email may be sent.');
    const r = compileSentence('Once a session reads confidential data, no email may be sent.', partial);
    expect(r.ok && r.meanings[0]?.conditions).toEqual([{ kind: 'session-label', label: 'confidential' }]);
    // Without the label in the session, the send is the grants' to decide.
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
  });
  it('reads a session declared with an intent', () => {
    const d = effectOf('Sessions marked as inbox-triage may not use the sandbox.');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { intent: 'inbox-triage' })).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it.each([
    'If a recipient address was copied from a website, block the send.',
    'Never email an address that only showed up in an untrusted email.',
    'Block any message whose recipient list includes an address lifted from email content.',
  ])('"%s" denies a recipient from untrusted content', (sentence) => {
    const d = effectOf(sentence);
    const mailTo = mail('x@evil.test');
    expect(d('email-assistant', 'email.send', mailTo, { provenance: { to: ['untrusted'] } })).toBe('deny');
    expect(d('email-assistant', 'email.send', mailTo, { provenance: { to: ['trusted'] } })).toBe('allow');
  });
  it('reads "or that came from the contacts lookup" as a trusted origin', () => {
    const d = effectOf('Only send email to addresses the user typed or that came from the contacts lookup.');
    const mailTo = mail('x@evil.test');
    expect(d('email-assistant', 'email.send', mailTo, { origin: { 'to[0]': ['user_input'] } })).toBe('allow');
    expect(d('email-assistant', 'email.send', mailTo, { origin: { 'to[0]': ['email.read'] } })).toBe('deny');
  });
});

describe('a resource fact negated', () => {
  it.each([
    'Deletes are only allowed in staging.',
    'Deletes outside staging are forbidden.',
    'The ops agent may delete only in staging.',
  ])('"%s" denies deletes not in staging, including a tool that states no env', (sentence) => {
    const d = effectOf(sentence);
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
  it('refuses an "only" said of the tools before a resource', () => {
    expect(refusedOnPartial('Only read tools may run against production.').message).toMatch(/only/);
  });
});

describe('windows and exceptions that must not turn around', () => {
  it('reads a bracketed window across midnight as the outside hours themselves', () => {
    const d = effectOf('No payments after hours (18:00-08:00 UTC).');
    expect(d('finance-agent', 'payments.transfer', pay(1), { now: '2026-11-04T12:00:00Z' })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(1), { now: '2026-11-04T20:00:00Z' })).toBe('deny');
  });
  it('reads "except to" a domain as the recipients condition negated', () => {
    const d = effectOf('Sending email is forbidden except to example.com addresses.');
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com', 'x@partner.org'))).toBe('deny');
  });
  // "external … unless it goes to partner.org": read since round 5 (compile-sentence-accounts-dates.test.ts).
  it('accepts a bracket restating a strict bound, and no other', () => {
    const d = effectOf('Block transfers strictly above $800 (exactly $800 is allowed).');
    expect(d('finance-agent', 'payments.transfer', pay(800))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(800.01))).toBe('deny');
    expect(refusedOnPartial('Block transfers of $800 or more (exactly $800 is allowed).').code).toBe(
      'GH_NL_UNPARSED',
    );
  });
  it('reads a passive "unless every payee was entered by the user" as the origin required', () => {
    const d = effectOf('Transfers need approval unless every payee was entered by the user.');
    expect(d('finance-agent', 'payments.transfer', pay(5), { origin: { to: ['user_input'] } })).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(5), { origin: { to: ['email.read'] } })).toBe(
      'approve',
    );
  });
  it('keeps "is allowed to … up to" a cap, not a statement', () => {
    const d = effectOf('The finance agent is allowed to transfer up to $600 per transfer.');
    expect(d('finance-agent', 'payments.transfer', pay(601))).toBe('deny');
  });
});

describe('tools exempted by name', () => {
  it.each([
    'Except for contact lookups, everything the email assistant does needs approval.',
    'Everything the email assistant does requires sign-off, except looking up contacts.',
  ])('"%s" asks for everything but the exempted tool', (sentence) => {
    const d = effectOf(sentence);
    expect(d('email-assistant', 'email.read')).toBe('approve');
    expect(d('email-assistant', 'contacts.lookup')).toBe('allow');
    expect(d('ops-agent', 'email.read')).toBe('allow');
  });
  it('exempts a tool named by its catalog name', () => {
    const d = effectOf('Block all email tools for the email assistant except email.read.');
    expect(d('email-assistant', 'email.read')).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('deny');
  });
  it('refuses an exemption of a tool the rule does not cover', () => {
    expect(refusedOnPartial('Deletes need approval except the finance report.').code).toBe(
      'GH_NL_UNSUPPORTED',
    );
  });
});

describe('approvers the policy names as people', () => {
  const carol = ['carol@example.com'];
  const both = ['carol@example.com', 'dave@example.com'];
  it.each([
    ['Transfers over $400 must be approved by Carol.', 1, carol],
    ["Transfers over $400 need Carol's sign-off.", 1, carol],
    ['Carol has to sign off on transfers over $400.', 1, carol],
    ['Transfers over $400 are blocked unless Carol approves them.', 1, carol],
    ['Require Carol to approve transfers over $400.', 1, carol],
    ['Transfers over $400 need sign-off from carol@example.com.', 1, carol],
    ['Transfers over $400 need approval from Carol or Dave.', 1, both],
    ['Transfers over $400 need approval from both Carol and Dave.', 2, both],
    ['Transfers over $400 require Carol and Dave to approve.', 2, both],
  ])('"%s" asks %i of just the people named', (sentence, approvers, eligible) => {
    const d = decisionsOf(sentence);
    expect(d('finance-agent', 'payments.transfer', pay(401))).toEqual({
      effect: 'approve',
      approvers,
      eligible,
    });
    expect(d('finance-agent', 'payments.transfer', pay(400)).effect).toBe('allow');
  });
  it('declares a group of just the people named, which the fragment carries', () => {
    const r = compileSentence(
      'Carol must approve every finance report, and Dave must approve every payment.',
      partial,
    );
    if (!r.ok) throw new Error(r.refusal.message);
    expect(declaredGroups(r.meanings)).toEqual({
      'approvers-carol': ['carol@example.com'],
      'approvers-dave': ['dave@example.com'],
    });
  });
  it.each([
    'Transfers over $400 need approval from Bob.',
    'Transfers over $400 need approval from Carol, Dave.',
    'Transfers over $400 need two approvals from Carol or Dave.',
    'Transfers over $400 need approval from Carol or Dave and Fiona.',
    'Transfers over $400 need approval from finance and Carol.',
    'Emails to carol@example.com need approval.',
  ])(
    'refuses "%s": an unknown person, an unclear or contradicted count, or an address as a recipient',
    (sentence) => {
      expect(refusedOnPartial(sentence).code).toMatch(/^GH_NL_/);
    },
  );
  it('reads "during the freeze" as its declared dates when the frozen tools are not the ones named', () => {
    const d = decider('During the freeze, deleting orders requires approval.');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-12-22T10:00:00Z' })).toBe('approve');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2027-01-05T10:00:00Z' })).toBe('allow');
  });
  it('reads the freeze as its dates when the sentence’s resource facts leave out the frozen tools', () => {
    // "production deletes": the frozen sandbox tools are deletes too, but not production ones; read
    // as the state, the rule could never apply.
    const d = decider('During the year-end change freeze, production deletes need two approvals.');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-12-23T12:00:00Z' })).toBe('approve');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: '2026-12-15T12:00:00Z' })).toBe('allow');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-12-23T12:00:00Z' })).toBe('allow');
  });
  it('ends a fronted exemption at the comma before the subject', () => {
    const d = effectOf(
      'Except for contact lookups, the email assistant needs approval for everything it does.',
    );
    expect(d('email-assistant', 'contacts.lookup')).toBe('allow');
    expect(d('email-assistant', 'email.read')).toBe('approve');
  });
});

describe('limits said as a maximum or a plain refusal of approval', () => {
  it.each([
    'The maximum payment amount is 900 dollars.',
    'Payments above $900 should be denied, not queued for approval.',
  ])('"%s" denies above 900', (sentence) => {
    const d = effectOf(sentence);
    expect(d('finance-agent', 'payments.transfer', pay(900))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(901))).toBe('deny');
  });
  it('leaves a "not … for approval" after an approval unread', () => {
    expect(refusedOnPartial('Payments over $50 need approval, not held for review.').code).toBe(
      'GH_NL_UNPARSED',
    );
  });
});

describe('exclusive subjects said after the action', () => {
  it.each(['Orders can be deleted by the ops agent only.', 'Orders may only be deleted by the ops agent.'])(
    '"%s" keeps the verb: deletes only, not every orders tool',
    (sentence) => {
      const d = effectOf(sentence);
      expect(d('finance-agent', 'orders_db.delete')).toBe('deny');
      expect(d('ops-agent', 'orders_db.delete')).toBe('allow');
      expect(d('finance-agent', 'orders_db.query')).toBe('allow');
    },
  );
  it.each([
    'The finance report is reserved for the finance agent.',
    'The finance report is off limits to everyone but the finance agent.',
  ])('"%s" denies everyone else', (sentence) => {
    const d = effectOf(sentence);
    expect(d('finance-agent', 'finance.report')).toBe('allow');
    expect(d('ops-agent', 'finance.report')).toBe('deny');
  });
});

describe('approval and exception phrasings of earlier held-out batches', () => {
  it('reads a group as the approval\'s adjective, also after "without"', () => {
    for (const sentence of [
      'Transfers over $3,000 must get finance approval.',
      'The finance agent must not pay over $3,000 without one finance approval.',
    ]) {
      const r = compileSentence(sentence, partial);
      expect(r.ok && r.meanings[0]?.approval, sentence).toEqual({ approvers: 1, groups: ['finance'] });
    }
  });
  it('reads "except payments below $50" as the condition negated', () => {
    const d = effectOf('Payments need approval, except payments below $50.');
    expect(d('finance-agent', 'payments.transfer', pay(49))).toBe('allow');
    expect(d('finance-agent', 'payments.transfer', pay(50))).toBe('approve');
  });
  it('reads "unless they run in staging" as the resource negated', () => {
    const d = effectOf('Deletes need approval unless they run in staging.');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
  });
});

describe('a call that waits for a person', () => {
  it.each([
    ['Deletes in production must wait for approval.', []],
    ['Production deletes are held until finance approves.', ['finance']],
    ['Production deletes need the OK of two finance members.', ['finance']],
  ])('"%s" asks', (sentence, groups) => {
    const d = effectOf(sentence);
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    const r = compileSentence(sentence, partial);
    expect(r.ok && r.meanings[0]?.approval?.groups).toEqual(groups);
  });
});

describe('recipients and sources said other ways', () => {
  it.each([
    'Sending to any domain other than example.com needs approval.',
    'If an email has any recipient outside the company, a human must approve it.',
  ])('"%s" asks for a recipient outside example.com', (sentence) => {
    const d = effectOf(sentence);
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com', 'x@partner.org'))).toBe('approve');
  });
  it.each([
    'A recipient taken from a web page must never be emailed.',
    'Email to recipients from untrusted content is blocked.',
  ])('"%s" denies a recipient from untrusted content', (sentence) => {
    const d = effectOf(sentence);
    const to = mail('x@evil.test');
    expect(d('email-assistant', 'email.send', to, { provenance: { to: ['untrusted'] } })).toBe('deny');
    expect(d('email-assistant', 'email.send', to, { provenance: { to: ['trusted'] } })).toBe('allow');
  });
  it('refuses an "only" of the agents beside an "only" of a condition', () => {
    expect(refusedOnPartial('Only the ops agent may delete, and only in staging.').code).toBe(
      'GH_NL_UNSUPPORTED',
    );
  });
});

describe('what is still refused', () => {
  it.each(['The total amount transferred per day must not exceed $10,000.'])('"%s"', (sentence) => {
    expect(refusedOnPartial(sentence).code).toMatch(/^GH_NL_/);
  });
});

describe('two effects in one sentence', () => {
  it.each([
    'Sandbox deletes are fine, production deletes are not.',
    'Deleting in staging is OK; deleting in production is not.',
  ])('"%s" denies the second clause only', (sentence) => {
    const d = effectOf(sentence);
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('reads "…, but sending it does" as the affirmative of "does not need approval"', () => {
    const d = effectOf("Reading mail doesn't need a sign-off, but sending it does.");
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('approve');
    expect(d('email-assistant', 'email.read')).toBe('allow');
  });
  it('lets "other" after a denial stand alone, since what was denied stays denied', () => {
    const d = effectOf(
      'Email to rival.test is never allowed; email to other outside domains needs approval.',
    );
    expect(d('email-assistant', 'email.send', mail('x@rival.test'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('x@partner.org'))).toBe('approve');
    expect(d('email-assistant', 'email.send', mail('x@example.com'))).toBe('allow');
  });
  it('exempts what a permission names from "every other …"', () => {
    const d = effectOf('Sandbox deletes are always fine; every other delete is blocked.');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
  it('never compiles "X is OK, Y is not" whole as a permission of both', () => {
    const d = effectOf('Sandbox deletes are OK, order deletes are not.');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(refusedOnPartial('Order deletes are not.').code).toBe('GH_NL_AMBIGUOUS_EFFECT');
  });
  it.each([
    'Sandbox deletes are fine; everything else is blocked.',
    'Payments need approval, refunds are not.',
  ])('refuses "%s": what "other" or "not" points back at is not clear', (sentence) => {
    expect(refusedOnPartial(sentence).code).toMatch(/^GH_NL_/);
  });
});

describe('domains as lists and as the company', () => {
  it('denies a recipient in any of several domains, one rule each', () => {
    const d = effectOf('Never email rival.test or spam.test.');
    expect(d('email-assistant', 'email.send', mail('x@rival.test'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('a@example.com', 'x@spam.test'))).toBe('deny');
    expect(d('email-assistant', 'email.send', mail('x@partner.org'))).toBe('allow');
  });
  // Several domains as the only ones allowed: read since round 5 (compile-sentence-accounts-dates.test.ts).
  it.each([
    'Mail to the company domain is fine; mail anywhere else needs approval.',
    'Internal mail (example.com only) is fine; everything else needs approval.',
  ])('"%s" asks for a recipient outside the company', (sentence) => {
    const d = effectOf(sentence);
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com', 'x@partner.org'))).toBe('approve');
  });
  it.each([
    ["Payments under $100 don't need anyone's approval, but every other payment does.", 'approve'],
    ["Contact lookups need someone's approval.", 'approve'],
  ])('"%s"', (sentence, effect) => {
    const d = effectOf(sentence);
    if (sentence.startsWith('Payments')) {
      expect(d('finance-agent', 'payments.transfer', pay(100))).toBe(effect);
      expect(d('finance-agent', 'payments.transfer', pay(99))).toBe('allow');
    } else expect(d('email-assistant', 'contacts.lookup')).toBe(effect);
  });
});

describe('windows, freezes and verbs of round 4', () => {
  it('reads "in the maintenance window, 23:00 to 05:00 UTC" as the hours that follow', () => {
    const d = effectOf('Sandbox deletes may only happen in the maintenance window, 23:00 to 05:00 UTC.');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-11-04T23:30:00Z' })).toBe('allow');
    expect(d('ops-agent', 'sandbox_db.delete', {}, { now: '2026-11-04T12:00:00Z' })).toBe('deny');
  });
  it.each([
    ['Order deletes are frozen until March 1, 2027.', '2027-02-28T12:00:00Z', '2027-03-01T12:00:00Z'],
    ['No order deletes before 2027.', '2026-12-31T12:00:00Z', '2027-01-01T12:00:00Z'],
  ])('"%s" denies until the date', (sentence, during, after) => {
    const d = effectOf(sentence);
    expect(d('ops-agent', 'orders_db.delete', {}, { now: during })).toBe('deny');
    expect(d('ops-agent', 'orders_db.delete', {}, { now: after })).toBe('allow');
  });
  it.each([
    ['Anything destructive needs approval.', 'sandbox_db.delete', 'approve'],
    ['Sandbox wipes are not allowed.', 'sandbox_db.delete', 'deny'],
    ['Nobody may clear the sandbox.', 'sandbox_db.delete', 'deny'],
    ['Read-only tools need approval.', 'orders_db.query', 'approve'],
    ['Orders may be queried but never deleted.', 'orders_db.delete', 'deny'],
  ])('"%s"', (sentence, tool, effect) => {
    const d = effectOf(sentence);
    expect(d('ops-agent', tool)).toBe(effect);
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
  });
  it('reads "at a time" and "in one transfer" as per call', () => {
    const d = effectOf('The finance agent may move at most $700 in one transfer.');
    expect(d('finance-agent', 'payments.transfer', pay(701))).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(700))).toBe('allow');
  });
});

describe('provenance phrasings of round 4', () => {
  const untrusted = { provenance: { to: ['untrusted'] } };
  it.each([
    'Never pay anybody whose account number was found in an email.',
    'Block payments to an account that came from a document or a web page.',
  ])('"%s" denies an account from untrusted content', (sentence) => {
    const d = effectOf(sentence);
    expect(d('finance-agent', 'payments.transfer', pay(5), untrusted)).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
  });
  it('reads "an address the agent picked up from a message" as mail only', () => {
    const d = effectOf('An address the agent picked up from a message must not be used as a recipient.');
    expect(d('email-assistant', 'email.send', mail('x@evil.test'), untrusted)).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(5), untrusted)).toBe('allow');
  });
  it('refuses sources of different labels as one condition', () => {
    expect(
      refusedOnPartial('Block email to addresses that came from a web page or a prompt injection.').code,
    ).toMatch(/^GH_NL_/);
  });
  it('reads "must be traceable to the user or a trusted tool" as an origin requirement', () => {
    const d = effectOf('Email recipients must be traceable to the user or a trusted tool.');
    expect(
      d('email-assistant', 'email.send', mail('x@evil.test'), { origin: { 'to[0]': ['user_input'] } }),
    ).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('x@evil.test'), untrusted)).toBe('deny');
  });
});

describe('last constructions of round 4', () => {
  it('denies an agent every tool but those it "may only use"', () => {
    const d = effectOf('The ops agent may only use orders_db.query.');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('deny');
    expect(d('finance-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('asks unless every recipient is inside the domain', () => {
    const d = effectOf('Outgoing mail needs approval unless all recipients are at example.com.');
    expect(d('email-assistant', 'email.send', mail('a@example.com'))).toBe('allow');
    expect(d('email-assistant', 'email.send', mail('a@example.com', 'x@partner.org'))).toBe('approve');
  });
  it('reads "approval from finance is needed" with its group', () => {
    const d = decisionsOf('Approval from finance is needed for every payment.');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toEqual({
      effect: 'approve',
      approvers: 1,
      eligible: ['carol@example.com', 'dave@example.com'],
    });
  });
  it('reads "keep … out of production" as a prohibition there', () => {
    const d = effectOf('Keep the finance agent out of production.');
    expect(d('finance-agent', 'orders_db.query')).toBe('deny');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toBe('allow');
    expect(d('ops-agent', 'orders_db.query')).toBe('allow');
  });
});

describe('emphasis and periods of round 4', () => {
  it('reads "even the ops agent needs approval" after its exemption', () => {
    const d = effectOf(
      'Order deletes are forbidden for every agent except the ops agent, and even the ops agent needs approval.',
    );
    expect(d('ops-agent', 'orders_db.delete')).toBe('approve');
    expect(d('finance-agent', 'orders_db.delete')).toBe('deny');
  });
  it('reads "just need somebody to approve" and "fair game"', () => {
    expect(effectOf('Sandbox deletes just need somebody to approve.')('ops-agent', 'sandbox_db.delete')).toBe(
      'approve',
    );
    const d = effectOf('Nothing destructive in production; staging is fair game.');
    expect(d('ops-agent', 'orders_db.delete')).toBe('deny');
    expect(d('ops-agent', 'sandbox_db.delete')).toBe('allow');
  });
  it('reads "must be approved by both finance members" as all of the group', () => {
    const d = decisionsOf('Every payment must be approved by both finance members.');
    expect(d('finance-agent', 'payments.transfer', pay(5))).toMatchObject({
      effect: 'approve',
      approvers: 2,
    });
  });
  it('reads "while the freeze is on" as a period and "while frozen" as a state', () => {
    const period = decider('While the freeze is on, order deletes need approval.');
    expect(period('ops-agent', 'orders_db.delete', {}, { now: '2026-12-22T10:00:00Z' })).toBe('approve');
    const state = decider('While frozen, nobody may delete orders.');
    expect(state('ops-agent', 'orders_db.delete', {}, { now: '2026-12-22T10:00:00Z' })).toBe('allow');
  });
});

describe('"anything above that" and "before it goes out"', () => {
  it.each([
    'Payments up to $400 go through automatically; anything above that needs approval.',
    'A payment larger than $400 needs a second pair of eyes before it goes out.',
  ])('"%s" asks above $400', (sentence) => {
    const d = effectOf(sentence);
    expect(d('finance-agent', 'payments.transfer', pay(401))).toBe('approve');
    expect(d('finance-agent', 'payments.transfer', pay(400))).toBe('allow');
  });
});

describe('what round 4 must not take from earlier rounds', () => {
  it('keeps "everything the ops agent does" a subject, not a clause ending on its verb', () => {
    expect(
      effectOf('Approval is required for everything the ops agent does.')('ops-agent', 'orders_db.query'),
    ).toBe('approve');
  });
  it('keeps "email" a verb before "addresses"', () => {
    const r = compileSentence('Do not email addresses that came only from the inbox', partial);
    if (!r.ok) throw new Error(r.refusal.message);
    expect(r.meanings[0]?.toolPatterns).toEqual(['email.send']);
  });
});
