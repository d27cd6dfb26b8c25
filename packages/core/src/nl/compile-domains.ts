import type { ClauseResult } from './compile-clause.js';
import type { SentenceMeaning } from './meaning.js';
import type { ParsedSentence } from './parsed.js';
import { refuse } from './refusal.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * "Never send mail to gmail.com or yahoo.com": a recipient in any one of the domains makes the
 * rule apply, so one rule per domain. Only a restriction can be split so; "may only email A or
 * B" needs every recipient in one of them, which one rule per domain cannot say.
 */
export function compileDomainsAnyOf(
  parsed: ParsedSentence,
  domains: readonly string[],
  sentence: string,
  vocabulary: Vocabulary,
  compileClause: (parsed: ParsedSentence, sentence: string, vocabulary: Vocabulary) => ClauseResult,
): ClauseResult {
  const effects = new Set(parsed.effects);
  // "may only email A or B": every recipient in one of them, one condition over the list.
  if (parsed.only && !parsed.unlessCondition && [...effects].every((e) => e === 'allow'))
    return compileClause(
      {
        ...parsed,
        domainsAnyOf: undefined,
        conditions: [
          ...parsed.conditions,
          { kind: 'recipients', scope: 'inside', domain: domains[0] as string, also: domains.slice(1) },
        ],
      },
      sentence,
      vocabulary,
    );
  if (parsed.only || parsed.unlessCondition || effects.has('allow') || effects.size === 0)
    return refuse(
      'GH_NL_UNSUPPORTED',
      `${domains.join(', ')}: several domains are read only as where a call may not go, or needs approval to go`,
    );
  const meanings: SentenceMeaning[] = [];
  for (const domain of domains) {
    const r = compileClause(
      {
        ...parsed,
        domainsAnyOf: undefined,
        conditions: [...parsed.conditions, { kind: 'recipients', scope: 'any', domain }],
        notes: [...parsed.notes],
        groups: [...parsed.groups],
        people: [...parsed.people],
      },
      sentence,
      vocabulary,
    );
    if (!r.ok) return r;
    meanings.push(...r.meanings);
  }
  return { ok: true, meanings };
}
