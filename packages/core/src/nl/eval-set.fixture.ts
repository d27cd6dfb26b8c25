import { readFileSync } from 'node:fs';
import { compilePolicy } from '../policy/compile.js';
import type { Effect } from '../policy/types.js';
import { compileSentence } from './compile-sentence.js';
import { type DecisionExtra, decisionsOn } from './sentence-decisions.fixture.js';
import { vocabularyOf } from './vocabulary.js';

/**
 * The evaluation set's policy (bench/nl/policy.yaml) for the NL sentence tests: it grants every
 * agent every tool and has no rules, so each decision a test reads is the sentence's alone.
 */
export const policyText = readFileSync(new URL('../../../../bench/nl/policy.yaml', import.meta.url), 'utf8');
export const vocabulary = vocabularyOf(compilePolicy({ name: 'policy.yaml', text: policyText }));

/** A sentence's rules on the evaluation set's policy, as a function from a request to its effect. */
export function decider(sentence: string) {
  const d = decisionsOn(policyText, vocabulary, sentence);
  return (
    agent: string,
    tool: string,
    args: Record<string, unknown> = {},
    extra: DecisionExtra = {},
  ): Effect => d(agent, tool, args, extra).effect;
}

/** Why the compiler refuses a sentence; throws when it compiles. */
export function refusal(sentence: string) {
  const r = compileSentence(sentence, vocabulary);
  if (r.ok) throw new Error(`compiled ${r.meanings.length} rule(s)`);
  return r.refusal;
}

/** A sentence's rules without its text and notes, to compare with another wording's; throws when refused. */
export function plainMeanings(sentence: string) {
  const r = compileSentence(sentence, vocabulary);
  if (!r.ok) throw new Error(`refused "${sentence}": ${r.refusal.message}`);
  return r.meanings.map(({ sentence: _, notes: __, ...m }) => m);
}

export const pay = (amount: number) => ({ amount, to: 'ACME' });
export const mail = (...to: string[]) => ({ to, subject: 's', body: 'b' });
