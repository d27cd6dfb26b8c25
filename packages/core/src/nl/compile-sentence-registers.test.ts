import { describe, expect, it } from 'vitest';
import { compileSentence } from './compile-sentence.js';
import { refusal, vocabulary } from './eval-set.fixture.js';

// Registers (round 12): a sentence in a compliance officer's formal register or in terse chat
// compiles to the rules its plain form compiles to. The sentences are this file's own, not the
// evaluation sets'; each pair tests one family of rewrites.
function meanings(sentence: string) {
  const r = compileSentence(sentence, vocabulary);
  if (!r.ok) throw new Error(`refused "${sentence}": ${r.refusal.message}`);
  return r.meanings.map(({ sentence: _, notes: __, ...m }) => m);
}

describe('the formal register reads as its plain form', () => {
  it.each([
    [
      'No agent shall delete any record held in the sandbox database.',
      'No agent may delete from the sandbox database.',
    ],
    [
      'Shell commands shall be subject to the prior approval of a human reviewer.',
      'Shell commands need human approval.',
    ],
    [
      'Payments shall be subject to the approval of a member of the finance group.',
      'Payments need approval from a member of the finance group.',
    ],
    [
      'The ops agent shall not be permitted to run shell commands.',
      'The ops agent may not run shell commands.',
    ],
    ['Transfers in an amount of $900 or more shall be denied.', 'Transfers of $900 or more are denied.'],
    [
      'Wire transfers whose value equals or exceeds 7,000 US dollars shall require approval.',
      'Transfers of at least 7,000 dollars require approval.',
    ],
    [
      'Deletions executed against the sandbox database shall require approval.',
      'Deletions against the sandbox database require approval.',
    ],
    ['Shell access by the ops agent is hereby revoked.', 'Shell access by the ops agent is blocked.'],
    [
      'No agent shall carry out any deletion in production without the approval of Sam.',
      'Any deletion in production needs approval from Sam.',
    ],
    [
      'Every order deletion shall be countersigned by a member of the finance group.',
      'Every order deletion needs approval from a member of the finance group.',
    ],
    [
      'Email to any address in the rival.net domain shall be blocked.',
      'Email to any address at rival.net is blocked.',
    ],
    [
      'Notwithstanding any other provision of this policy, no email shall be sent to rival.net.',
      'No email may be sent to rival.net.',
    ],
    [
      'Operations of a financial nature shall be denied on weekends.',
      'Financial operations are denied on weekends.',
    ],
    [
      'No transfer above $4,000 shall be made without the approval of two members of the finance group.',
      'Transfers above $4,000 need approval from two members of the finance group.',
    ],
    [
      '3.2 Shell. (a) Shell commands are permitted; (b) no agent shall run shell commands on weekends.',
      'Shell commands are permitted; no agent may run shell commands on weekends.',
    ],
  ])('"%s" = "%s"', (formal, plain) => {
    expect(meanings(formal)).toEqual(meanings(plain));
  });
  it.each([
    [
      'In the event that a transfer exceeds $6,000, the approval of carol@example.com shall be obtained.',
      'If a transfer exceeds $6,000, it needs approval from carol@example.com.',
    ],
    [
      'Shell commands issued on a Saturday or a Sunday are prohibited.',
      'Shell commands on weekends are prohibited.',
    ],
    [
      'Data designated confidential shall not be read by any agent.',
      'Confidential data may not be read by any agent.',
    ],
    [
      'Production is off-limits to every agent save for the ops agent.',
      'Production is off-limits to every agent except the ops agent.',
    ],
  ])('"%s" = "%s"', (formal, plain) => {
    expect(meanings(formal)).toEqual(meanings(plain));
  });
  it('a count in the formal register is bounded as its plain form', () => {
    expect(meanings('Shell commands shall be limited to four per hour.')).toEqual(
      meanings('At most 4 shell commands per hour.'),
    );
    expect(meanings('The finance agent shall be limited to six transfers in any calendar day.')).toEqual(
      meanings('The finance agent may make at most 6 transfers per day.'),
    );
  });
});

describe('the terse chat register reads as its plain form', () => {
  it.each([
    ['xfers over $3k -> approval', 'Transfers over $3k need approval.'],
    ['no shell cmds on weekends pls', 'No shell commands on weekends.'],
    ['sandbox deletes blocked', 'Sandbox deletes are blocked.'],
    ['ext email → approval', 'External email needs approval.'],
    [
      'emails to non-example.com addrs need approval',
      'Emails to addresses outside example.com need approval.',
    ],
    ['max 7 payments/hr', 'At most 7 payments per hour.'],
    ['transfer >= $20k? hard no', 'No transfer of at least $20k.'],
  ])('"%s" = "%s"', (terse, plain) => {
    expect(meanings(terse)).toEqual(meanings(plain));
  });
  it.each([
    ['shell cmds? hard no', 'No shell commands.'],
    ['can the ops agent run shell commands? nope', 'The ops agent may not run shell commands.'],
    ['payments under $9 are blocked (fraud checks)', 'Payments under $9 are blocked.'],
    ['ops-agent in staging = read only', 'ops-agent in staging is read-only.'],
    ['sandbox db deletes → 2 approvals from finance', 'Sandbox db deletes need 2 approvals from finance.'],
    [
      'untrusted in session? then no shell commands',
      'When the session carries the untrusted label, no shell commands.',
    ],
  ])('"%s" = "%s"', (terse, plain) => {
    expect(meanings(terse)).toEqual(meanings(plain));
  });
  it('what a register cannot settle is still refused', () => {
    // "ext comms": the external-communication category, or mail outside the domain?
    expect(refusal('ext comms blocked').code).toBe('GH_NL_UNPARSED');
    expect(refusal('shell cmds? dunno').code).toBe('GH_NL_UNPARSED');
    expect(refusal('No agent shall comply with the retention policy of the Bank.').code).toBe(
      'GH_NL_UNPARSED',
    );
  });
});
