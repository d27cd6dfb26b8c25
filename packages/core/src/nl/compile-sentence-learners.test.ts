import { describe, expect, it } from 'vitest';
import { plainMeanings as meanings, refusal } from './eval-set.fixture.js';

// Learner's English (round 16): the forms a colleague writing English as a second language
// uses compile to what their plain form compiles to. The sentences are this file's own.

describe("learner's English reads as its plain form", () => {
  it.each([
    ['Shell commands need approve of Sam.', 'Shell commands need approval from Sam.'],
    [
      'Payment must be approve by two person of security group.',
      'Payment needs approval from two members of the security group.',
    ],
    ['The ops agent must ask approval before delete.', 'The ops agent needs approval to delete.'],
    ['Staging deletes is permitted if Sue approve it.', 'Staging deletes need approval from Sue.'],
    [
      'Ops agent must not update orders, only exception is when Sam say OK.',
      "Ops agent must not update orders, except with Sam's approval.",
    ],
    [
      'Security group should approve any deletion, one person from them is enough.',
      'Any deletion needs approval from someone in the security group.',
    ],
    [
      'In confidential sessions, block shell commands.',
      'Block shell commands in sessions labelled confidential.',
    ],
    [
      'Session that has confidential label, it cannot send email.',
      'In sessions labelled confidential, it cannot send email.',
    ],
    [
      'Research agent can run shell commands maximum 12 time in one day.',
      'Research agent can run shell commands at most 12 times per day.',
    ],
    [
      'Payments is forbidden when the session declare inbox-triage intent.',
      'Payments are forbidden under the inbox-triage intent.',
    ],
    ['In production nothing is allowed.', 'In production everything is blocked.'],
    [
      'Deletes in the sandbox are ok only with approval of two person.',
      'Deletes in the sandbox need two approvals.',
    ],
    [
      'While it triages the inbox, the email assistant may not delete mail.',
      'During inbox triage, the email assistant may not delete mail.',
    ],
    [
      'Research agent can delete maximum 4 order per day.',
      'Research agent can delete at most 4 orders per day.',
    ],
    ['For delete of order need three approvals.', 'Orders deletes need three approvals.'],
    [
      'Outside company address is need approval by Sam, inside company address free.',
      'Addresses outside the company need approval from Sam, addresses inside the company are fine.',
    ],
    [
      'The assistant can mail only colleagues inside example.com, other recipients are blocked.',
      'The assistant can mail only colleagues inside example.com, anything else is blocked.',
    ],
    [
      'Mail to example.com or any of its subdomains is fine; every other domain needs approval.',
      'Mail to example.com and its subdomains is fine; anything else needs approval.',
    ],
    ['Block email to the banned domains spam.io or junk.biz.', 'Block email to spam.io or junk.biz.'],
    [
      "Before 7 o'clock in the morning (UTC) nobody may update orders.",
      'Before 7:00 UTC nobody may update orders.',
    ],
    [
      'If session say it is inbox triage, deletes must be approved.',
      'During inbox triage, deletes must be approved.',
    ],
    ['The money category, it need approval on weekends.', 'Financial operations need approval on weekends.'],
    [
      'Write tools all fine, but delete things is forbidden for the research agent.',
      'Write tools are fine, but deletes are forbidden for the research agent.',
    ],
    [
      'If a session says it is doing inbox triage, payments are blocked.',
      'During inbox triage, payments are blocked.',
    ],
    ['At most 450 per payment; bigger payments are blocked.', 'Payments over 450 are denied.'],
    ['At most 2,500 per wire.', 'Wires over 2,500 are denied.'],
  ])('%s', (learner, plain) => {
    expect(meanings(learner)).toEqual(meanings(plain));
  });
});

describe("learner's English that could say the opposite is left for the grammar to refuse", () => {
  it.each([
    // "non-partner domains x.io": dropping the words before the domain would turn the rule around.
    'Email to non-partner domains rival.io is blocked.',
    // Moving the condition after an "unless" could give it to the exception instead of the rule.
    'In production, block deletes unless Oscar approves.',
  ])('%s', (sentence) => {
    expect(refusal(sentence).code).toMatch(/^GH_NL_/);
  });
});
