import { type ClauseResult, compileClause } from './compile-clause.js';
import { understood } from './compile-unless.js';
import { parseSentence } from './parse-sentence.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * "Payments of 10k or more, or any payment to an account pulled from email, require two
 * approvers": two subjects set off by commas and joined by "or", sharing what follows them.
 * A rule's conditions must all hold, so each alternative is a rule of its own with the same
 * effect. Each is compiled whole, as if written alone; undefined when the sentence is not of
 * that shape or either alternative does not compile, for the other readings (and their
 * refusal) to speak.
 */
export function compileAlternatives(
  text: string,
  sentence: string,
  vocabulary: Vocabulary,
  accounts: readonly string[],
): ClauseResult | undefined {
  // The normaliser sets a comma between words apart; one inside a figure ("$2,000") is not.
  const parts = text.trim().split(' , ');
  if (parts.length !== 3 || text.includes(';') || !parts[1]?.startsWith('or ')) return undefined;
  const [first, or, predicate] = parts as [string, string, string];
  const second = or.slice(3);
  // "…, or …, or else": the part after the commas must say what happens, not start a clause.
  if (/^(?:or|and|but|otherwise|unless|except)\b/.test(predicate)) return undefined;
  const parsed = [first, second].map((subject) =>
    parseSentence(` ${subject} ${predicate} `, vocabulary, accounts),
  );
  // "Sending email, or reading it, …": a part that points back is not whole on its own.
  if (parsed.some((p) => !understood(p) || p.pronoun || p.otherwise || p.ellipsis)) return undefined;
  const results = parsed.map((p) => compileClause(p, sentence, vocabulary));
  if (!results.every((r) => r.ok)) return undefined;
  const meanings = results.flatMap((r) => (r.ok ? r.meanings : []));
  return {
    ok: true,
    meanings: meanings.map((x) => ({
      ...x,
      notes: [...x.notes, '"…, or …," names two kinds of call: one rule for each'],
    })),
  };
}
