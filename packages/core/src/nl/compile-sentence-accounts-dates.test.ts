import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import type { DecisionRequestInput } from '../policy/types.js';
import { compileSentence } from './compile-sentence.js';
import { draftFromSentences } from './draft.js';
import { policyWithSentence } from './sentence-decisions.fixture.js';
import { vocabularyOf } from './vocabulary.js';

// Round 5 of the grammar (issue 18): accounts by name, days of every year, the agent in a
// relative clause, "no emails" as sending. Over the quickstart's catalog without its rules.
const policyText = readFileSync(new URL('../../../../bench/nl/blind2-policy.yaml', import.meta.url), 'utf8');
const sources = [{ name: 'policy.yaml', text: policyText }];
const base = compilePolicy(sources);
const vocabulary = vocabularyOf(base);

/** The decision of each request once the sentence's rules join the policy. */
function decisions(sentence: string, requests: readonly Omit<DecisionRequestInput, 'now'>[], now?: string) {
  const policy = policyWithSentence(sources, vocabulary, sentence);
  return requests.map(
    (q) => decide(policy, { ...q, ...(now !== undefined && { now: new Date(now) }) }).effect,
  );
}
const pay = (to: string, amount = 10) => ({
  agent: 'finance-agent',
  tool: 'payments.transfer',
  args: { amount, to },
});
const refused = (sentence: string) => {
  const r = compileSentence(sentence, vocabulary);
  return r.ok ? undefined : r.refusal;
};

describe('payees named by account', () => {
  it('blocks the account named in capitals, whatever the case it is paid in', () => {
    expect(
      decisions('Payments to ZENITHCO are forbidden.', [pay('ZENITHCO'), pay('zenithco'), pay('HALCYON')]),
    ).toEqual(['deny', 'deny', 'allow']);
  });

  it('allows only the accounts an "only" names, each a code with a figure', () => {
    expect(
      decisions('Transfers may only go to acct-77-A or acct-77-B.', [
        pay('acct-77-A'),
        pay('acct-77-B'),
        pay('acct-78-A'),
      ]),
    ).toEqual(['allow', 'allow', 'deny']);
  });

  it('exempts the account after "unless the payee is" from the threshold', () => {
    const sentence = 'Transfers above $3,000 need approval unless the payee is HALCYON.';
    expect(decisions(sentence, [pay('ZENITHCO', 3001), pay('HALCYON', 3001), pay('ZENITHCO', 3000)])).toEqual(
      ['approve', 'allow', 'allow'],
    );
  });

  it('asks for the rest when "anything else" follows an "only"', () => {
    const sentence = 'Payments are allowed only to acct-900; anything else needs approval from finance.';
    expect(decisions(sentence, [pay('acct-900'), pay('acct-901')])).toEqual(['allow', 'approve']);
  });

  it('passes verification: the probes pay each account named and one it does not', () => {
    const draft = draftFromSentences(['Payments to ZENITHCO are forbidden.'], sources);
    expect(draft.ok).toBe(true);
    if (draft.ok) expect(draft.report.checks.filter((c) => !c.passed)).toEqual([]);
  });

  it('refuses an account given to a tool that pays no one, and abbreviations as accounts', () => {
    expect(refused('Emails to ZENITHCO are blocked.')?.message).toMatch(/an account is where a payment goes/);
    expect(refused('Payments to the CFO need approval.')).toBeDefined();
  });
});

describe('days of every year, no year given', () => {
  const del = { agent: 'ops-agent', tool: 'orders_db.delete' };
  it('reads "Dec 30 – Jan 2" over the new year, both days included, in any year', () => {
    const sentence = 'Orders deletes are blocked Dec 30 – Jan 2.';
    expect(decisions(sentence, [del], '2026-12-31T12:00:00Z')).toEqual(['deny']);
    expect(decisions(sentence, [del], '2028-01-02T12:00:00Z')).toEqual(['deny']);
    expect(decisions(sentence, [del], '2027-01-03T12:00:00Z')).toEqual(['allow']);
    expect(decisions(sentence, [del], '2026-12-29T12:00:00Z')).toEqual(['allow']);
  });

  it('reads "on Oct 31" and a named day with its date in brackets as that day', () => {
    for (const sentence of [
      'No sandbox deletes on Oct 31.',
      'Sandbox deletes on Halloween (October 31) are blocked.',
    ]) {
      const del = { agent: 'ops-agent', tool: 'sandbox_db.delete' };
      expect(decisions(sentence, [del], '2026-10-31T12:00:00Z')).toEqual(['deny']);
      expect(decisions(sentence, [del], '2026-11-01T12:00:00Z')).toEqual(['allow']);
    }
  });

  it('refuses a day the calendar does not have', () => {
    expect(refused('No payments on Feb 30.')).toBeDefined();
  });
});

describe('subjects and actions said in other words', () => {
  it('names the agent of "every payment the finance agent makes"', () => {
    const r = compileSentence('Every payment the finance agent makes has to be approved first.', vocabulary);
    expect(r.ok && r.meanings.map((m) => m.agents)).toEqual([['finance-agent']]);
  });

  it('reads "No emails" as mail sent: reading the inbox stays allowed', () => {
    const read = { agent: 'email-assistant', tool: 'email.read' };
    const send = {
      agent: 'email-assistant',
      tool: 'email.send',
      args: { to: ['bob@example.com'], subject: 's', body: 'b' },
    };
    expect(decisions('No emails between 22:00 and 06:00 UTC.', [read, send], '2026-11-04T23:00:00Z')).toEqual(
      ['allow', 'deny'],
    );
  });

  it('refuses an agent with a verb of its own after "except" (was read as an exemption)', () => {
    expect(
      refused('Reads are open to everyone, except the ops agent may never query orders.')?.message,
    ).toMatch(/second statement/);
  });
});

describe('domains let through, and tiers', () => {
  const send = (...to: string[]) => ({
    agent: 'email-assistant',
    tool: 'email.send',
    args: { to, subject: 's', body: 'b' },
  });
  it.each([
    'Block external email unless it goes to partner.org.',
    'No emails outside example.com, except for partner.org addresses.',
    'Email may only go to recipients at example.com or partner.org.',
  ])('"%s" lets example.com and partner.org through, and nothing else', (sentence) => {
    expect(
      decisions(sentence, [
        send('bob@example.com'),
        send('ann@partner.org'),
        send('eve@partner.org.evil.test'),
        send('ann@partner.org', 'eve@gmail.com'),
      ]),
    ).toEqual(['allow', 'allow', 'deny', 'deny']);
  });

  it('denies "anything larger" above the bound of the restricting clause before it', () => {
    const sentence = 'Transfers from $100 to $900 need approval, and anything larger is blocked.';
    expect(
      decisions(sentence, [pay('ACME', 500), pay('ACME', 900), pay('ACME', 901), pay('ACME', 50)]),
    ).toEqual(['approve', 'approve', 'deny', 'allow']);
  });
});

describe('amounts sent, caps and imperative pairs', () => {
  it('reads money "sent" over an amount as a transfer, and "stop X from" as a prohibition', () => {
    expect(
      decisions('Stop the finance agent from sending more than $4,500 in one go.', [
        pay('ACME', 4501),
        pay('ACME', 4500),
      ]),
    ).toEqual(['deny', 'allow']);
    expect(
      decisions('Deny payments above 10 thousand dollars.', [pay('ACME', 10001), pay('ACME', 10000)]),
    ).toEqual(['deny', 'allow']);
  });

  it('splits two imperatives, a fronted condition holding for each', () => {
    const del = (tool: string) => ({ agent: 'ops-agent', tool });
    expect(
      decisions('Block sandbox deletes and require approval for order deletes.', [
        del('sandbox_db.delete'),
        del('orders_db.delete'),
      ]),
    ).toEqual(['deny', 'approve']);
    // A fronted condition holds for both.
    const sunday = '2026-11-08T12:00:00Z';
    const sentence = 'On Sundays, block transfers and require approval for sandbox deletes.';
    expect(decisions(sentence, [pay('ACME'), del('sandbox_db.delete')], sunday)).toEqual(['deny', 'approve']);
    expect(decisions(sentence, [pay('ACME'), del('sandbox_db.delete')], '2026-11-04T12:00:00Z')).toEqual([
      'allow',
      'allow',
    ]);
  });
});

describe('exemptions, labels and permissions beside a restriction', () => {
  it('exempts the agent of a passive ("except by the ops agent")', () => {
    const del = (agent: string) => ({ agent, tool: 'sandbox_db.delete' });
    expect(
      decisions("Sandbox deletes can't happen, except by the ops agent.", [
        del('ops-agent'),
        del('finance-agent'),
      ]),
    ).toEqual(['allow', 'deny']);
  });

  it('reads "tools carrying the X label" and "anything X" as the tools the catalog labels X', () => {
    for (const sentence of [
      'Tools carrying the trusted label need approval.',
      'Anything trusted needs approval.',
    ]) {
      const r = compileSentence(sentence, vocabulary);
      expect(r.ok && r.meanings.map((m) => m.tools)).toEqual([['contacts.lookup']]);
    }
  });

  it('adds no rule for "other … are fine" or the user\'s own values beside a restriction', () => {
    for (const sentence of [
      'Paying an account taken from a web page needs approval; other payments are fine.',
      'Accounts the user typed are fine; accounts lifted from a web page need approval.',
    ]) {
      const r = compileSentence(sentence, vocabulary);
      expect(r.ok && r.meanings.map((m) => m.effect)).toEqual(['approve']);
    }
  });

  it('reads "X is enough for Y; larger Y need Z" as two tiers', () => {
    const sentence =
      'One finance approval is enough for payments under $800; larger payments need both finance approvers.';
    const r = compileSentence(sentence, vocabulary);
    expect(r.ok && r.meanings.map((m) => [m.conditions, m.approval?.approvers])).toEqual([
      [[{ kind: 'amount', arg: 'amount', op: '<', value: 800 }], 1],
      [[{ kind: 'amount', arg: 'amount', op: '>=', value: 800 }], 2],
    ]);
  });
});

describe('approval after a permission, and what an agent may do but one thing', () => {
  it('asks the people named in "but only once Carol has approved it"', () => {
    const r = compileSentence(
      'Let the ops agent delete sandbox rows, but only after Carol has approved it.',
      vocabulary,
    );
    expect(r.ok && r.meanings.map((m) => [m.effect, m.tools, m.approval?.approvers])).toEqual([
      ['approve', ['sandbox_db.delete'], 1],
    ]);
  });

  it('denies only the exception of "can do everything it is granted except …"', () => {
    const call = (tool: string) => ({ agent: 'ops-agent', tool });
    expect(
      decisions('The ops agent can do everything it is granted except delete orders.', [
        call('orders_db.delete'),
        call('orders_db.query'),
        call('sandbox_db.delete'),
      ]),
    ).toEqual(['deny', 'allow', 'allow']);
  });
});

describe('exemptions by kind, shared head nouns, approvers said first', () => {
  it('exempts the catalog tools of a kind ("except reads")', () => {
    const call = (tool: string) => ({ agent: 'finance-agent', tool });
    expect(
      decisions('Block every call from the finance agent except reads.', [
        call('payments.transfer'),
        call('finance.report'),
      ]),
    ).toEqual(['deny', 'allow']);
  });

  it('names each agent of "the finance or ops agents"', () => {
    const r = compileSentence('Contact lookups may not be used by the finance or ops agents.', vocabulary);
    expect(r.ok && r.meanings.map((m) => m.agents)).toEqual([['finance-agent', 'ops-agent']]);
  });

  it.each([
    'Dave (dave@example.com) must approve every sandbox delete.',
    'Sandbox deletes: approval by Dave.',
  ])('asks Dave for "%s"', (sentence) => {
    const r = compileSentence(sentence, vocabulary);
    expect(r.ok && r.meanings.map((m) => [m.tools, m.approval?.declares])).toEqual([
      [['sandbox_db.delete'], { 'approvers-dave': ['dave@example.com'] }],
    ]);
  });
});

describe('a domain permitted, then every other one', () => {
  const send = (...to: string[]) => ({
    agent: 'email-assistant',
    tool: 'email.send',
    args: { to, subject: 's', body: 'b' },
  });
  it('lets the company through beside the domain named when the rest is "external"', () => {
    const sentence = 'Mail to vendor.io is fine, but every other external domain needs approval.';
    expect(
      decisions(sentence, [
        send('sam@vendor.io'),
        send('bob@example.com'),
        send('sam@vendor.io', 'eve@gmail.com'),
      ]),
    ).toEqual(['allow', 'allow', 'approve']);
  });
});

describe('"without anyone signing off"', () => {
  it('is dropped from a permission but asks after a prohibition', () => {
    const permit = compileSentence(
      'The finance agent may pay up to $600 without anyone approving.',
      vocabulary,
    );
    expect(permit.ok && permit.meanings.map((m) => m.effect)).toEqual(['deny']);
    const forbid = compileSentence('Payments may not be made without anyone signing off.', vocabulary);
    expect(forbid.ok && forbid.meanings.map((m) => m.effect)).toEqual(['approve']);
  });
});

describe('bounds said in other words', () => {
  it('reads "or larger" as at least and "above A but below B" as both bounds', () => {
    const sentence =
      "If a transfer is $9,000 or larger, block it; if it's above $900 but below $9,000, one finance approver has to sign off.";
    expect(decisions(sentence, [pay('ACME', 9000), pay('ACME', 5000), pay('ACME', 900)])).toEqual([
      'deny',
      'approve',
      'allow',
    ]);
  });
});
