import { describe, expect, it } from 'vitest';
import { plainMeanings as meanings } from './eval-set.fixture.js';

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
  ])('%s', (learner, plain) => {
    expect(meanings(learner)).toEqual(meanings(plain));
  });
});
