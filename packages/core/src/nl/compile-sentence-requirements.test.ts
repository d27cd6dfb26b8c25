import { describe, expect, it } from 'vitest';
import { compileSentence } from './compile-sentence.js';
import { decider, mail, refusal, vocabulary } from './eval-set.fixture.js';

// The requirements-document register (round 13): a product owner's everyday modals and wishes
// compile to the rules their plain form compiles to. The sentences are this file's own, over the
// evaluation set's policy, not blind13's; each pair tests one family of rewrites.
function meanings(sentence: string) {
  const r = compileSentence(sentence, vocabulary);
  if (!r.ok) throw new Error(`refused "${sentence}": ${r.refusal.message}`);
  return r.meanings.map(({ sentence: _, notes: __, ...m }) => m);
}

/** Each sentence of the register compiles to what its plain form compiles to. */
function readsAsPlainForm(pairs: readonly (readonly [string, string])[]) {
  it.each(pairs)('"%s" = "%s"', (wish, plain) => {
    expect(meanings(wish)).toEqual(meanings(plain));
  });
}

describe('the requirements register reads as its plain form', () => {
  readsAsPlainForm([
    ["The research agent shouldn't run shell commands.", 'The research agent should not run shell commands.'],
    [
      'Please make sure that nobody can run shell commands on weekends.',
      'Nobody can run shell commands on weekends.',
    ],
    ['Ensure the research agent never runs shell commands.', 'The research agent never runs shell commands.'],
    [
      "I don't want the research agent running shell commands.",
      'The research agent may not be running shell commands.',
    ],
    ["We don't want anyone deleting mail, full stop.", 'Nobody may be deleting mail.'],
    ["I don't want the assistant deleting mail.", 'The assistant may not be deleting mail.'],
    [
      "It's fine for the finance agent to pay, as long as the amount is under $300.",
      'The finance agent may pay only if the amount is under $300.',
    ],
    [
      "It's fine for the research agent to run shell commands, provided it is a weekday.",
      'The research agent may run shell commands only if it is a weekday.',
    ],
    ['We never want email going to rival.net addresses.', 'No email to rival.net addresses.'],
    ["Let's block shell commands on Sundays.", 'Block shell commands on Sundays.'],
    [
      'Nobody should be able to delete mail without someone saying yes first.',
      'Nobody may delete mail without approval.',
    ],
    ['Shell commands are to be checked by someone before they run.', 'Shell commands need approval.'],
    [
      'Config changes are to be signed off by two people from security.',
      'Config changes need approval from two people in security.',
    ],
    ['Sandbox deletes are to be signed off by Oscar.', 'Sandbox deletes need approval from Oscar.'],
    ['Transfers under $5 need to be blocked.', 'Transfers under $5 are blocked.'],
    [
      'Transfers under $5 are to be blocked, they are almost always test charges.',
      'Transfers under $5 are blocked.',
    ],
    ['Shell commands are to be blocked while we rotate the host keys.', 'Shell commands are blocked.'],
    ['Shell commands should go past a person first.', 'Shell commands need approval.'],
    [
      'Any transfer that is no less than 700 dollars gets held for review.',
      'Any transfer of at least 700 dollars needs approval.',
    ],
    [
      'Destructive operations should wait for three people to approve them.',
      'Destructive operations need three approvals.',
    ],
    ['No shell commands, period, whatever the system.', 'No shell commands.'],
    [
      'Nobody should email outside the company, except to our vendors at supply.io.',
      'Nobody should email outside the company, except to supply.io.',
    ],
  ]);
  readsAsPlainForm([
    [
      'If a transfer is over $2,500, Dave needs to look at it before it goes out.',
      'If a transfer is over $2,500, it needs approval from Dave.',
    ],
    [
      'If a transfer is over $2,500, then somebody has to approve it.',
      'If a transfer is over $2,500, it needs approval.',
    ],
    [
      'Deleting mail is something only a person in security can okay.',
      'Deleting mail needs approval from someone in security.',
    ],
    [
      'Deleting things in staging is to be signed off by Rita.',
      'Deleting anything in staging needs approval from Rita.',
    ],
    [
      'Production queries should go through a human first, but staging is fine as it is.',
      'Production queries need approval, but staging is fine.',
    ],
    ['Sent mail can be looked at but never removed.', 'Sent mail can be read but never removed.'],
    ['Treat the orders database as read-only.', 'The orders database is read-only.'],
    ['Transfers should only go out on weekdays.', 'Transfers may only be made on weekdays.'],
    ['No shell commands before 7 in the morning UTC.', 'No shell commands before 07:00 UTC.'],
    [
      "The ops agent shouldn't run shell commands at night, say between 23:00 and 05:00 UTC.",
      'The ops agent should not run shell commands between 23:00 and 05:00 UTC.',
    ],
    ['Sundays are off limits for the research agent.', 'The research agent may not do anything on sundays.'],
  ]);
});

describe('lists, replies, counts and what a sentence leaves alone', () => {
  readsAsPlainForm([
    ['No shell commands, no payments, no deletes.', 'No shell commands; no payments; no deletes.'],
    [
      'Shell commands are blocked, config changes need approval, and the sandbox is left as is.',
      'Shell commands are blocked, config changes need approval.',
    ],
    ['Sending a reply needs approval from Sam.', 'Sending anything needs approval from Sam.'],
    [
      "The research agent shouldn't reply to anyone without a person checking it first.",
      'The research agent should not send anyone without approval.',
    ],
    [
      "Email outside example.com needs approval, except when it's only going to partner.org people.",
      'Email outside example.com needs approval, except to partner.org.',
    ],
    [
      'When the session is about inbox triage, shell commands are blocked.',
      'During inbox triage, shell commands are blocked.',
    ],
    [
      "While the research agent is triaging the inbox, it shouldn't be running shell commands.",
      'While triaging the inbox, the research agent should not be running shell commands.',
    ],
    [
      "If the agent said it's triaging the inbox, it has no business deleting mail.",
      'While triaging the inbox, nobody may be deleting mail.',
    ],
    [
      'Transfers up to $50 are fine for the finance agent; past that, Dave needs to OK it.',
      'Transfers up to $50 are fine for the finance agent; anything larger needs approval from Dave.',
    ],
    [
      'The research agent is kept out of production, apart from read-only queries.',
      'The research agent may not touch production, except queries.',
    ],
    [
      'Before the research agent gets the finance report, Carol has to approve it.',
      'Before the research agent pulls the finance report, it needs approval from Carol.',
    ],
    [
      "We shouldn't be emailing addresses that show up in incoming mail.",
      'Nobody may be emailing addresses that came from mail.',
    ],
    ['While the freeze is on, hold off on shell commands too.', 'While the freeze is on, no shell commands.'],
    [
      'We only want two transfers per hour going out of the finance agent.',
      'At most two transfers per hour for the finance agent.',
    ],
  ]);
});

describe('a session said to have picked up a label carries it', () => {
  readsAsPlainForm([
    [
      'Once the session has picked up confidential data, shell commands should need approval.',
      'In a session labelled confidential, shell commands need approval.',
    ],
    [
      "Config changes can't happen in a session that's been exposed to untrusted content.",
      "Config changes can't happen in a session labelled untrusted.",
    ],
    [
      'Running shell commands in an untrusted session is a no-go.',
      'Running shell commands in a session labelled untrusted is blocked.',
    ],
    [
      "Confidential sessions shouldn't be running shell commands.",
      'In a session labelled confidential, nobody may be running shell commands.',
    ],
  ]);
  it('decides on the label, not on the call alone', () => {
    const d = decider(
      'Once the session has picked up untrusted content, shell commands should need approval.',
    );
    expect(d('ops-agent', 'shell.exec', { command: 'ls' }, { labels: ['untrusted'] })).toBe('approve');
    expect(d('ops-agent', 'shell.exec', { command: 'ls' })).toBe('allow');
  });
});

describe('what the register cannot settle is still refused', () => {
  it.each([
    // Who "legal" is, and when it has reviewed, the policy does not say.
    "Let's stop all shell commands until legal has reviewed the scripts.",
    // "working in" names no kind of call.
    'Nobody but the ops agent should be working in the orders system.',
    // Noon or midnight?
    'No shell commands before 12 in the morning UTC.',
    // A wish about the writer names no call.
    "I don't want to be woken up by the ops agent.",
    // A count with no period, or a period a quota does not have.
    'The research agent gets shell commands.',
    'The research agent gets 4 shell commands, max.',
    'The research agent gets 4 shell commands a year, max.',
    // A count of nobody would let every call through; finance has two members.
    'No config changes without approval from 0 people.',
    'No config changes unless approved by 0 people.',
    'No config changes without approval from four people in finance.',
    // An intent the policy does not declare.
    'No shell commands unless the agent is doing gardening.',
    'Block config changes when gardening is the declared intent.',
    'Under the gardening intent, shell commands are forbidden.',
    // An agent the sentence names would scope the rule, which the session's label does not say.
    'Once the research agent has read untrusted content in a session, it must not run shell commands.',
  ])('"%s"', (sentence) => {
    expect(refusal(sentence).code).toMatch(/^GH_NL_/);
  });
});

// Round 15: counts said as "gets N … a day" and "up to N times", approvals by a count of people
// after "without" and "unless approved by", "except read queries", intents said as "unless the
// agent is doing X" and "when X is the declared intent", and the object of "approval before
// sending …" kept; with other words than the blind sets'.
describe('round 15: counts said as an allowance', () => {
  readsAsPlainForm([
    [
      'The research agent gets 4 shell commands an hour, max.',
      'The research agent is allowed at most 4 shell commands per hour.',
    ],
    [
      'The finance agent gets 3 transfers per week.',
      'The finance agent is allowed at most 3 transfers per week.',
    ],
    [
      "It's fine for the research agent to run shell commands, up to 6 times a day.",
      'The research agent may run shell commands at most 6 times per day.',
    ],
  ]);

  it('counts "up to N times" as calls, not as a bound on a noun', () => {
    expect(meanings('The ops agent may update orders up to 3 times per day.')).toEqual([
      expect.objectContaining({ effect: 'deny', quota: { max: 3, per: '1d' }, tools: ['orders_db.update'] }),
    ]);
    const d = decider('The research agent gets 4 shell commands an hour, max.');
    expect(d('research-agent', 'shell.exec', { command: 'ls' }, { usage: 3 })).toBe('allow');
    expect(d('research-agent', 'shell.exec', { command: 'ls' }, { usage: 4 })).toBe('deny');
    expect(d('ops-agent', 'shell.exec', { command: 'ls' }, { usage: 4 })).toBe('allow');
  });
});

describe('round 15: approvals by a count of people', () => {
  it.each([
    ['No config changes without approval from two people in security.'],
    ['No config changes unless approved by two members of security.'],
    ['No config changes unless they are approved by two people in security.'],
  ])('"%s" asks two of security', (sentence) => {
    expect(meanings(sentence)).toEqual([
      expect.objectContaining({
        effect: 'approve',
        approval: { approvers: 2, groups: ['security'] },
        tools: ['config.update'],
      }),
    ]);
  });

  it('still reads "both members of finance" as the subject', () => {
    expect(meanings('Both members of finance have to authorize each transfer.')).toEqual([
      expect.objectContaining({ effect: 'approve', approval: { approvers: 2, groups: ['finance'] } }),
    ]);
  });

  it('asks two people of no group when none is named', () => {
    expect(meanings('No shell commands without approval from three people.')).toEqual([
      expect.objectContaining({ effect: 'approve', approval: { approvers: 3, groups: [] } }),
    ]);
  });

  readsAsPlainForm([
    [
      'Transfers over $900 need the approval of both members of the finance group.',
      'Transfers over $900 need the approval of two members of the finance group.',
    ],
  ]);
});

describe('round 15: exceptions and intents', () => {
  readsAsPlainForm([
    ['Block all production access except read queries.', 'Block all production access except reads.'],
    ['Everything needs approval except read-only tools.', 'Everything needs approval except reads.'],
    ['No shell commands unless the agent is doing inbox triage.', 'No shell commands outside inbox triage.'],
    [
      "No config changes unless the session's intent is inbox triage.",
      'No config changes outside inbox triage.',
    ],
    [
      'Block config changes when inbox triage is the declared intent.',
      'Block config changes during inbox triage.',
    ],
    [
      'The research agent may not send replies to rival.net.',
      'The research agent may not send email to rival.net.',
    ],
    [
      'The research agent may not run queries against the orders database.',
      'The research agent may not query the orders database.',
    ],
  ]);

  readsAsPlainForm([
    [
      'Once an agent has read untrusted content in a session, it must not run shell commands in that session.',
      'In a session labelled untrusted, agents must not run shell commands.',
    ],
    [
      'If an agent has seen confidential data in a session, it may not subsequently update orders.',
      'In a session labelled confidential, agents may not update orders.',
    ],
    [
      'The research agent is welcome to query things; read-only access is fine.',
      'The research agent may query anything; reads are fine.',
    ],
    ['The ops agent is welcome to run shell commands.', 'The ops agent may run shell commands.'],
    [
      'A finance group member has to sign off on shell commands.',
      'One member of the finance group has to sign off on shell commands.',
    ],
    [
      'Transfers up to $800 are fine, and any transfer above that sum is forbidden.',
      'Transfers up to $800 are fine, and anything larger is forbidden.',
    ],
  ]);

  it('keeps what "approval before sending …" is about', () => {
    const d = decider('The research agent must get approval before sending email.');
    expect(d('research-agent', 'email.send', mail('a@example.com'))).toBe('approve');
    expect(d('research-agent', 'email.read', {})).toBe('allow');
    expect(d('research-agent', 'email.delete', {})).toBe('allow');
    expect(meanings('Outbound email shall require approval prior to sending.')).toEqual(
      meanings('Outbound email requires approval.'),
    );
  });
});

// A question answered keeps what follows its answer: before, "? No, except …" and "? No - unless …"
// dropped the exception and denied it too, and "while it is on call" vanished into "call" read as
// the verb of a tool call (the fourteenth blind split's wrong rules).
describe('a question answered keeps the rest of the answer', () => {
  readsAsPlainForm([
    [
      'Can the research agent run shell commands? No, except on weekdays.',
      'The research agent may not run shell commands, except on weekdays.',
    ],
    [
      'May the assistant send email on weekends? No - unless every recipient is in example.com.',
      'The assistant may not send email on weekends, unless every recipient is in example.com.',
    ],
    [
      'Can the research agent run shell commands? No, never.',
      'The research agent may not run shell commands.',
    ],
  ]);
  it.each([
    'Can the research agent run shell commands while it is on call? No.',
    'The research agent may not run shell commands when on call.',
    'Can the research agent run shell commands? No, and it is on-call.',
  ])('refuses "%s": being on call is not something a request carries', (sentence) => {
    expect(refusal(sentence).code).toMatch(/^GH_NL_/);
  });
});
