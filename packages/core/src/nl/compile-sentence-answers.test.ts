import { describe, expect, it } from 'vitest';
import { plainMeanings as meanings, refusal } from './eval-set.fixture.js';

// Questions answered (round 16): an FAQ's question and its answer compile to the statement they
// make together. The sentences are this file's own, not the evaluation sets'.

describe('a question with its answer reads as the statement it makes', () => {
  it.each([
    [
      'Can the research agent delete mail without asking? No, a human has to approve it first.',
      'The research agent needs approval to delete mail.',
    ],
    [
      "May the ops agent update the orders database? Only with Sam's approval.",
      "The ops agent may update the orders database only with Sam's approval.",
    ],
    ['Are shell commands allowed? No, none of them.', 'Shell commands are blocked.'],
    ['Are config changes okay on weekends? No, they are blocked.', 'Config changes are blocked on weekends.'],
    [
      "Is reading the finance report allowed? Only with Sue's approval.",
      "Reading the finance report needs Sue's approval.",
    ],
    [
      'Are payments allowed? Only those below 400; the rest are blocked.',
      'Only payments below 400 are allowed; the rest are blocked.',
    ],
    [
      'Is deleting orders forbidden? Yes, unless someone from the security group approves it.',
      'Deleting orders is forbidden, unless someone from the security group approves it.',
    ],
    ['Do config changes need a sign-off? Yes, always.', 'Config changes need approval.'],
    [
      'Does the research agent need approval to run shell commands? Yes.',
      'The research agent needs approval to run shell commands.',
    ],
    [
      'Do shell commands go through automatically? No - only after Sid approves.',
      'Shell commands need approval from Sid.',
    ],
    ['Who signs off on config changes? Sue, every time.', 'Config changes need approval from Sue.'],
    [
      'Who can update the orders database? Only the ops agent.',
      'Only the ops agent may update the orders database.',
    ],
    ['How many payments a day are allowed? Eight, no more.', 'At most eight payments per day are allowed.'],
    [
      'How many shell commands can the ops agent run per hour? 30 at most.',
      'The ops agent may run at most 30 shell commands per hour.',
    ],
    ['Is there a cap on contact lookups? Yes, 40 per day.', 'At most 40 contact lookups per day.'],
    ['What about transfers above 9000? Denied.', 'Transfers above 9000 are denied.'],
    [
      'Do staging deletes need approval? Yes. And config changes on weekends? Blocked.',
      'Staging deletes need approval; config changes on weekends are blocked.',
    ],
    ['Can the research agent send payments? Not at all.', 'The research agent may not make payments.'],
    [
      'May the research agent update orders? No, updates are off.',
      'The research agent may not update orders.',
    ],
    [
      'Should the research agent touch production at all? No, keep it out of production.',
      'The research agent may not touch production at all.',
    ],
    ['What may agents do on the orders database? Nothing.', 'Agents may not touch the orders database.'],
    [
      'Can we email rival.io without asking? No, every email to rival.io needs an approval.',
      'Every email to rival.io needs an approval.',
    ],
    [
      'Can a session tagged confidential send email? No.',
      'Sessions labelled confidential may not send email.',
    ],
    ['Can the sandbox be wiped on a Monday? No.', 'The sandbox may not be wiped on Mondays.'],
    [
      "What's the largest transfer the finance agent can make without approval? Up to 2,000 - anything larger is blocked.",
      'The finance agent may make transfers up to 2,000; anything larger is blocked.',
    ],
    [
      'Is it OK to read the finance report? Yes. Updating orders? Denied, and staging deletes need a sign-off.',
      'Updating orders is denied, and staging deletes need a sign-off.',
    ],
    [
      'Updating the orders database? Only the ops agent.',
      'Only the ops agent may update the orders database.',
    ],
    [
      'Do write-type tools need approval? No. And shell commands by the research agent? Those are blocked.',
      'Write tools need no approval; shell commands by the research agent are blocked.',
    ],
    [
      'Can the finance agent pay 800 or less without asking? Yes. Over 800? Only with approval.',
      'The finance agent may pay 800 or less without approval; anything over 800 needs approval.',
    ],
    [
      'Are staging deletes allowed over the break? Not from 2 to 5 January 2027, both days included.',
      'Staging deletes are blocked from January 2, 2027 through January 5, 2027.',
    ],
    [
      'Which domains may the email assistant send to? Only example.com or acme.org; everything else needs approval.',
      'The email assistant may send email only to example.com or acme.org; everything else needs approval.',
    ],
  ])('%s', (question, plain) => {
    expect(meanings(question)).toEqual(meanings(plain));
  });
});

describe('an answer whose words are not all accounted for is refused', () => {
  it.each([
    // Asked of the plural, "external communications" may be every send: never read one way.
    'May agents send external communications on their own? No, somebody approves each one.',
    // The restatement names other calls than the question: not a repeat of the "no".
    'May the ops agent query the orders database? No, payments are off.',
    // Nobody of that name in the policy.
    'Who approves shell commands? Zed.',
    // A verb in -ing the rewrite does not know the plain form of.
    'Juggling the orders database? Only the ops agent.',
    // A count asked of one period and answered for none.
    'How many payments a day are allowed? Plenty.',
  ])('%s', (sentence) => {
    expect(refusal(sentence).code).toMatch(/^GH_NL_/);
  });
});
