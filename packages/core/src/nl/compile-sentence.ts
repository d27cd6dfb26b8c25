import {
  asksAbout,
  contradicts,
  frontedPair,
  inherit,
  largerThanBefore,
  narrowedBefore,
  resolveEllipsis,
  unreachedApproval,
} from './clause-links.js';
import { compileAlternatives } from './compile-alternatives.js';
import { compileClause, unparsedOf, unparsedRefusal } from './compile-clause.js';
import { commaStatements } from './compile-lists.js';
import { compileOtherwise } from './compile-otherwise.js';
import { type QuotaSplit, quotaMeanings, splitQuota } from './compile-quota.js';
import { compileUnless } from './compile-unless.js';
import { leadingConditions } from './fronted-scope.js';
import type { SentenceMeaning } from './meaning.js';
import { normalizeSentence, splitClauses } from './normalize.js';
import { withoutFraming } from './normalize-framing.js';
import { registerPlainForm } from './normalize-registers.js';
import { accountLiteralsOf } from './parse-payees.js';
import { parsePhrases, parseSentence } from './parse-sentence.js';
import type { ParsedSentence } from './parsed.js';
import { type Refusal, refuse } from './refusal.js';
import type { Vocabulary } from './vocabulary.js';

export type { Refusal, RefusalCode } from './refusal.js';

/**
 * The outcome of compiling one sentence: the rules it states (one per restricting clause; an
 * "only" over several conditions gives one per condition), or a refusal of the whole.
 */
export type SentenceResult =
  | { readonly ok: true; readonly meanings: readonly SentenceMeaning[] }
  | { readonly ok: false; readonly refusal: Refusal };

/** Longest sentence accepted: a rule is one sentence, and the grammar's passes stay bounded. */
export const MAX_SENTENCE_LENGTH = 500;

/** Characters a sentence may hold: letters, figures, and the punctuation the normaliser reads. */
const ODD_CHARACTER = /[^\p{L}\p{N}\s$€£,.'’‘`"“”:;*?@/_&()!%+<>=≥≤→—–-]/u;

/**
 * Compiles one controlled-English sentence against a policy's vocabulary into its meaning(s),
 * or refuses it whole. Stages: normalise (symbols, numbers, shorthand), cut into clauses, parse
 * each clause into typed slots, resolve what a clause leaves to the one before it ("it",
 * "there", "anything else"), compile each against the catalog. Deterministic, no I/O. A
 * sentence with any word the grammar did not consume is refused, never half-compiled.
 *
 * @example
 * ```ts
 * const r = compileSentence('Financial transactions over $1,000 require dual authorization', vocabularyOf(policy));
 * if (r.ok) console.log(r.meanings[0]?.conditions); // [{ kind: 'amount', arg: 'amount', op: '>', value: 1000 }]
 * ```
 */
/** A word a count's period is said with; only such a sentence is worth a second look for one. */
const PERIOD_WORD =
  /\b(?:per|an?|each|any|every|single)\s(?:calendar\s)?(?:minute|hour|hr|day|week)s?\b|\/\s?(?:hr|hour|day|min|minute)\b|\brolling period\b/i;

export function compileSentence(sentence: string, vocabulary: Vocabulary): SentenceResult {
  const trimmed = withoutFraming(sentence.trim());
  if (trimmed.length > MAX_SENTENCE_LENGTH || /[\n\r]/.test(trimmed))
    return refuse('GH_NL_TOO_LONG', `a rule is one sentence of at most ${MAX_SENTENCE_LENGTH} characters`);
  const odd = ODD_CHARACTER.exec(trimmed);
  if (odd) return refuse('GH_NL_UNPARSED', `the character '${odd[0]}' is not part of the grammar`, [odd[0]]);
  // A count per period: the calls it counts are compiled as the grammar reads them, then bounded.
  const said = splitQuota(trimmed);
  // The count of the sentence's plain form, read at most once ("shall be limited to five transfers
  // in any calendar day", "max 5 payments an hr" are bounded as their plain forms are).
  let plainRead = false;
  let plainQuota: QuotaSplit | undefined;
  const quotaOfPlainForm = () => {
    if (!plainRead) {
      plainRead = true;
      const plain = registerPlainForm(trimmed);
      const again = plain === undefined ? undefined : splitQuota(plain);
      plainQuota = again && !('refusal' in again) ? again : undefined;
    }
    return plainQuota;
  };
  const quota =
    (said === undefined || 'refusal' in said) && PERIOD_WORD.test(trimmed)
      ? (quotaOfPlainForm() ?? said)
      : said;
  if (quota && 'refusal' in quota) return { ok: false, refusal: quota.refusal };
  if (quota) {
    const bounded = quotaMeanings(trimmed, quota, (counted) => compileSentence(counted, vocabulary));
    if (bounded.ok) return bounded;
    // A count the sentence's own words bound but whose counted calls only the plain form reads
    // ("the ops bot gets 10 deletes a day, max"): bounded as the plain form is, or refused as said.
    const again = quotaOfPlainForm();
    if (again === undefined || again === quota) return bounded;
    const read = quotaMeanings(trimmed, again, (counted) => compileSentence(counted, vocabulary));
    return read.ok ? read : bounded;
  }
  const text = normalizeSentence(trimmed, vocabulary.people);
  const accounts = accountLiteralsOf(trimmed);
  const clauses = splitClauses(text);
  // The sentence as a list of statements set off by commas, the last reading tried.
  const asList = () => commaStatements(text, (items) => compileClauses(items, trimmed, vocabulary, accounts));
  if (clauses.length === 1) {
    const whole = parseSentence(text, vocabulary, accounts);
    const one = compileClause(whole, trimmed, vocabulary);
    const effects = new Set(whole.effects).size + (whole.ellipsis ? 1 : 0);
    if (one.ok) return one;
    const alternatives =
      compileAlternatives(text, trimmed, vocabulary, accounts) ??
      compileUnless(text, trimmed, vocabulary, accounts);
    if (alternatives) return alternatives;
    if (effects < 2) return one;
    const otherwise = compileOtherwise(text, trimmed, vocabulary, accounts);
    if (otherwise) return otherwise;
    // "Staging deletes are fine, production deletes are not": two statements joined by a comma,
    // taken as such only when each half is a whole clause with an effect of its own.
    const halves = text.split(' , ');
    if (halves.length === 2) {
      const split = compileClauses(
        halves.map((h) => ` ${h.trim()} `),
        trimmed,
        vocabulary,
        accounts,
      );
      if (split.ok) return split;
    }
    return splitAtAnd(text, trimmed, vocabulary, accounts) ?? asList() ?? one;
  }
  const set = setOffFronted(text, clauses, vocabulary, accounts);
  const split = compileClauses(
    governedByFronted(
      set.text,
      narrowedBefore(set.clauses, vocabulary, accounts),
      vocabulary,
      accounts,
    ).flatMap((c) => frontedPair(c, vocabulary, accounts)),
    trimmed,
    vocabulary,
    accounts,
  );
  if (split.ok) return split;
  // A boundary word may belong to one statement ("read but not delete"): the whole, then. Not
  // when two clauses each say an effect and calls of their own: one of them was refused, and read
  // as one clause their effects fold into one, losing what the refused clause said.
  const statements = clauses.filter((c) => {
    const p = parseSentence(c, vocabulary, accounts);
    return p.effects.length > 0 && (p.objects.length > 0 || p.verbs.length > 0);
  });
  if (statements.length > 1) return asList() ?? split;
  const whole = compileClause(
    parseSentence(text.replace(/\s;\s/g, ' , '), vocabulary, accounts),
    trimmed,
    vocabulary,
  );
  return whole.ok ? whole : (asList() ?? split);
}

/** A condition that opens a sentence and is set off by a comma: it holds for all that follows. */
const FRONTED =
  /^ ((?:if|when|whenever|while|once|during|on|in|after|before|outside|from|between) [^,;]{2,80}?) , /;

/**
 * "Production deletions are forbidden on weekends and need approval on weekdays", "If injection
 * is suspected, outside mail is denied and mail to example.com needs approval": two statements
 * joined by "and", each with an effect of its own (the second its own subject, or a verb of the
 * first's without a modal). The first split whose halves both compile
 * whole is taken; a fronted condition is said again for the second half, which it governs too.
 */
function splitAtAnd(
  text: string,
  sentence: string,
  vocabulary: Vocabulary,
  accounts: readonly string[],
): SentenceResult | undefined {
  const fronted = FRONTED.exec(text);
  for (let at = text.indexOf(' and '); at > 0; at = text.indexOf(' and ', at + 1)) {
    const left = ` ${text.slice(0, at).trim()} `;
    const rest = text.slice(at + 5).trim();
    // "may delete A and must not delete B": one subject with two modal verbs, which the
    // evaluation set refuses as out of grammar rather than reading as two statements.
    if (/^(?:must|may|can|cannot|can't|should|shall|will|won't|do|does|is|are)\b/.test(rest)) continue;
    const governed = fronted !== null && fronted[0].length <= at;
    const right = governed ? ` ${fronted[1]} , ${rest} ` : ` ${rest} `;
    // "On weekends production deletes are denied and sandbox deletes need approval": whether
    // the weekend is also the second statement's is not said; a second statement with its own
    // calls takes no situation from the first unless it was set off before both.
    if (!governed && situated(left, right, vocabulary, accounts)) continue;
    const split = compileClauses([left, right], sentence, vocabulary, accounts);
    if (split.ok) return split;
  }
  return undefined;
}

/** A word that opens a condition said before the clause it conditions. */
const FRONTING_WORD = /^ (?:if|when|whenever|while|once|during|on|in|after|before|outside|from|between) /;

/**
 * "On weekends the ops bot can't touch production, and sandbox deletes need Oscar's sign-off":
 * a condition that opens the sentence governs every clause of it, comma or not. Without the
 * comma it would be read as the first clause's alone, so the longest run of opening words that
 * says conditions and nothing else is set off as if the comma were written.
 */
function setOffFronted(
  text: string,
  clauses: readonly string[],
  vocabulary: Vocabulary,
  accounts: readonly string[],
): { text: string; clauses: readonly string[] } {
  const first = clauses[0];
  const fronted = FRONTED.exec(text);
  if (
    !first ||
    (fronted && first.startsWith(fronted[0])) ||
    !FRONTING_WORD.test(first) ||
    !text.startsWith(first)
  )
    return { text, clauses };
  const words = first.trim().split(' ');
  const found = leadingConditions(words, (t) => parsePhrases(t, vocabulary, accounts));
  if (!found) return { text, clauses };
  const head = ` ${found.said} ,${found.rest}`;
  return { text: head + text.slice(first.length), clauses: [head, ...clauses.slice(1)] };
}

/**
 * "On weekends, production deletes are denied, and sandbox deletes need approval": a condition
 * set off before the first clause governs the later ones too. A later clause that names its own
 * calls would not take it from the one before, so it is said again there, unless that clause
 * says a condition of the same kind ("…, and outside it, …").
 */
function governedByFronted(
  text: string,
  clauses: readonly string[],
  vocabulary: Vocabulary,
  accounts: readonly string[],
): string[] {
  const fronted = FRONTED.exec(text);
  if (!fronted || !clauses[0]?.startsWith(fronted[0])) return [...clauses];
  const kinds = new Set(parseSentence(` ${fronted[1]} `, vocabulary, accounts).conditions.map((c) => c.kind));
  if (kinds.size === 0) return [...clauses];
  // "During inbox triage, payments are forbidden, and outside it, …": "it" is the fronted phrase.
  const place = /^(?:during|in|while) (.+)$/.exec(fronted[1] as string)?.[1];
  return clauses.map((c, i) => {
    if (i === 0) return c;
    if (place && /\soutside (?:of )?(?:it|that|them) /.test(c))
      return c.replace(/\soutside (?:of )?(?:it|that|them) /, ` outside ${place} `);
    const p = parseSentence(c, vocabulary, accounts);
    const ownCalls = p.objects.length > 0 || p.verbs.length > 0;
    if (!ownCalls || p.pronoun || p.conditions.some((x) => kinds.has(x.kind))) return c;
    return ` ${fronted[1]} , ${c.trim()} `;
  });
}

/** Conditions on when a call happens or the session it is in, rather than on the call itself. */
const SITUATIONS = new Set(['hours', 'days', 'dates', 'yearly', 'state', 'intent', 'session-label', 'calls']);

/** Whether the first of two statements is situated where the second, naming its own calls, is not said to be. */
function situated(left: string, right: string, vocabulary: Vocabulary, accounts: readonly string[]): boolean {
  const first = parseSentence(left, vocabulary, accounts);
  const second = parseSentence(right, vocabulary, accounts);
  if (second.objects.length === 0 && second.verbs.length === 0) return false;
  const own = new Set(second.conditions.map((c) => c.kind));
  return first.conditions.some((c) => SITUATIONS.has(c.kind) && !own.has(c.kind));
}

/** "Reads are fine": a kind of call said by its verb alone, naming no tool or place. */
const byVerbsAlone = (p: ParsedSentence) =>
  p.objects.length === 0 && p.verbs.length > 0 && p.verbs.every((v) => v !== 'any');

/** Most clauses a sentence may have: a rule is read in one sitting. */
const MAX_CLAUSES = 4;

/**
 * Compiles a sentence of several clauses. A clause that only permits ("staging is fine") adds
 * no rule — deny > approve > allow, so an allow beside a restriction changes nothing — but it
 * must still be understood whole, and it must not contradict a restriction. "Anything else" /
 * "anything larger" restricts what the clause before it did not permit.
 */
function compileClauses(
  clauses: readonly string[],
  sentence: string,
  vocabulary: Vocabulary,
  accounts: readonly string[],
): SentenceResult {
  if (clauses.length > MAX_CLAUSES)
    return refuse(
      'GH_NL_TOO_LONG',
      `at most ${MAX_CLAUSES} clauses in a sentence: write one rule per sentence`,
    );
  const parsed = clauses.map((c) => parseSentence(c, vocabulary, accounts));
  // Each clause as it stands, for when what it would take from the one before does not fit.
  const own = parsed.map((p) => ({
    ...p,
    agents: [...p.agents],
    objects: [...p.objects],
    conditions: [...p.conditions],
  }));
  for (let i = 1; i < parsed.length; i++)
    if (!parsed[i]?.otherwise) inherit(parsed[i] as ParsedSentence, parsed[i - 1] as ParsedSentence);
  const restricting: SentenceMeaning[] = [];
  const permitting: SentenceMeaning[] = [];
  const permitted: string[] = [];
  const onlyKept: SentenceMeaning[] = [];
  // Permissions said as "never needs approval", which an approval of the same calls contradicts.
  const noApproval: SentenceMeaning[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const p = parsed[i] as ParsedSentence;
    const rest = unparsedOf(p);
    if (rest.length > 0) return unparsedRefusal(rest, vocabulary);
    // "…, except to acct-ops-001 which just needs an ok" cut off from its rule: the case's own
    // effect holds only under the rule's conditions, which a clause of its own would drop.
    if (i > 0 && p.effects.length > 0 && /^\s*(?:but\s)?(?:except|unless|save)\b/.test(clauses[i] ?? ''))
      return refuse(
        'GH_NL_UNSUPPORTED',
        `"${clauses[i]?.trim()}": an exception with an effect of its own is said with its rule ("…, except ones to X, which need approval")`,
      );
    if (p.ellipsis) {
      const why = resolveEllipsis(p, parsed[i - 1]);
      if (why) return refuse('GH_NL_AMBIGUOUS_EFFECT', `"${clauses[i]?.trim()}": ${why}`);
      p.ellipsis = undefined;
    }
    // "may only email example.com addresses, and only ones the user provided": a second limit
    // of the same permission, which is a rule of its own (two "only"s in one rule would let
    // through what breaks just one of them).
    const before = parsed[i - 1];
    if (
      i > 0 &&
      p.effects.length === 0 &&
      p.only &&
      !p.otherwise &&
      before?.only &&
      before.effects.length > 0 &&
      before.effects.every((e) => e === 'allow')
    ) {
      p.effects.push('allow');
      p.notes.push('"…, and only …" is a second limit of the permission before it: a rule of its own');
    }
    // "…, but only on weekdays": a clause with no effect of its own narrows the one before;
    // compiled alone its "only" would turn into a prohibition nobody wrote.
    if (i > 0 && p.effects.length === 0 && !p.otherwise)
      return refuse(
        'GH_NL_UNSUPPORTED',
        `"${clauses[i]?.trim()}" says no effect of its own: write its condition into the clause it narrows`,
      );
    if (p.otherwise && p.effects.length > 0 && parsed[i - 1]?.effects.every((e) => e === 'deny')) {
      // "X is never OK; mail to other outside domains needs approval": what the clause before
      // denies stays denied (deny wins), so "other" narrows nothing and the clause stands alone,
      // with the subject of the one before when it names none.
      const before = parsed[i - 1] as ParsedSentence;
      if (p.agents.length === 0 && !p.anyAgent && p.exceptAgents.length === 0 && p.agentLabel === undefined) {
        p.agents.push(...before.agents);
        p.exceptAgents.push(...before.exceptAgents);
        if (before.agentLabel !== undefined) p.agentLabel = before.agentLabel;
      }
      if (p.objects.length === 0 && p.verbs.length === 0) {
        // "any other payment": the calls of the clause before, without its conditions.
        if (!/\bother\s[a-z]/.test(clauses[i] ?? ''))
          return refuse('GH_NL_AMBIGUOUS_EFFECT', `"${clauses[i]?.trim()}": other than what? name the calls`);
        p.objects.push(...before.objects);
        p.verbs.push(...before.verbs);
      }
      p.otherwise = false;
      p.notes.push(`"other" adds no condition: what the clause before denies stays denied`);
    }
    if (p.otherwise && p.otherwiseLarger && p.effects.length > 0 && parsed[i - 1]) {
      // "Transfers between $500 and $5,000 need approval, and anything larger is blocked": the
      // calls of the clause before, above the amount it bounds from above.
      const larger = largerThanBefore(p, parsed[i - 1] as ParsedSentence);
      if (larger) {
        const r = compileClause(larger, sentence, vocabulary);
        if (!r.ok) return r;
        restricting.push(...r.meanings);
        continue;
      }
    }
    if (
      p.otherwise &&
      p.effects.length > 0 &&
      p.effects.every((e) => e === 'allow') &&
      p.conditions.length === 0 &&
      p.origins.length === 0 &&
      parsed[i - 1]?.effects.some((e) => e !== 'allow')
    ) {
      // "…needs Dave's approval; other sends are fine": what the clause before does not
      // restrict stays as the grants say, which adds no rule.
      permitted.push(clauses[i]?.trim() ?? '');
      continue;
    }
    if (p.otherwise) {
      const before = parsed[i - 1];
      if (!before?.effects.every((e) => e === 'allow') || before.effects.length === 0)
        return refuse(
          'GH_NL_UNSUPPORTED',
          '"anything else" needs the clause before it to say what is fine: "payments up to $250 are fine; anything larger needs approval"',
        );
      // "Mail to partner.org is fine; every other external domain is blocked": the company's
      // own domain is let through with the ones the clause before names.
      const externalOnly =
        p.conditions.length === 1 &&
        p.conditions[0]?.kind === 'recipients' &&
        p.conditions[0].scope === 'outside' &&
        (before.domainsAnyOf !== undefined || before.conditions.some((c) => c.kind === 'recipients'));
      if (p.conditions.length > 0 && !externalOnly)
        return refuse('GH_NL_UNSUPPORTED', '"anything else" cannot add conditions of its own');
      if (externalOnly) {
        // "…; mail to any other domain outside example.com is blocked": that domain, named.
        const inside =
          p.conditions[0]?.kind === 'recipients' ? (p.conditions[0].domain ?? 'company') : 'company';
        before.conditions = before.conditions.map((c) =>
          c.kind === 'recipients' ? { ...c, also: [...(c.also ?? []), inside] } : c,
        );
        if (before.domainsAnyOf) before.domainsAnyOf = [...before.domainsAnyOf, inside];
      }
      const effect = p.effects.includes('deny')
        ? 'deny'
        : p.effects.includes('approve')
          ? 'approve'
          : undefined;
      if (!effect)
        return refuse('GH_NL_NO_EFFECT', '"anything else" needs an effect: is blocked, needs approval');
      permitted.pop();
      if (
        before.conditions.length === 0 &&
        before.domainsAnyOf === undefined &&
        (before.objects.length > 0 || byVerbsAlone(before)) &&
        before.origins.length === 0
      ) {
        // "Sandbox deletes are always OK; every other delete is denied": the calls the clause
        // before names are exempt from this one, which must name its own calls.
        const exempt = compileClause({ ...before, effects: ['deny'], only: false }, sentence, vocabulary);
        if (!exempt.ok) return exempt;
        // "Read-only tools are fine; everything else needs approval": after kinds of call alone,
        // "everything else" is every other tool. After "sandbox deletes" it might be every other
        // delete or every other call: the clause must say which.
        const kindsOnly =
          byVerbsAlone(before) ||
          (before.objects.every((o) => o.kind === 'category' || o.kind === 'any') &&
            before.objects.some((o) => o.kind === 'category'));
        // "any other operation (on it)" names no calls either: every other call on the orders
        // database, or every other call at all? Once read as the latter, a wrong rule.
        const namesNoCalls = p.objects.every((o) => o.kind === 'any') && p.verbs.length === 0;
        if (namesNoCalls && !kindsOnly)
          return refuse('GH_NL_AMBIGUOUS_EFFECT', `"${clauses[i]?.trim()}": other than what? name the calls`);
        const own: ParsedSentence = {
          ...p,
          ...(p.objects.length === 0 && p.verbs.length === 0 && { objects: [{ kind: 'any' }] }),
          otherwise: false,
          exceptTools: [...p.exceptTools, ...(exempt.meanings[0]?.tools ?? [])],
          agents: p.agents.length > 0 ? p.agents : before.agents,
          exceptAgents: p.agents.length > 0 ? p.exceptAgents : before.exceptAgents,
        };
        const r = compileClause(own, sentence, vocabulary);
        if (!r.ok) return r;
        restricting.push(...r.meanings);
        continue;
      }
      // "X is fine; anything else is blocked / needs approval" is "only X may; otherwise ask".
      const merged: ParsedSentence = {
        ...before,
        only: true,
        effects: ['allow'],
        otherwiseAsk: effect === 'approve',
        withoutApproval: false,
        approvers: p.approvers,
        groups: p.groups,
        people: p.people,
        ...(p.peopleJoin !== undefined && { peopleJoin: p.peopleJoin }),
        notes: [...before.notes, ...p.notes],
      };
      const r = compileClause(merged, sentence, vocabulary);
      if (!r.ok) return r;
      restricting.push(...r.meanings);
      continue;
    }
    const allowOnly = p.effects.length > 0 && p.effects.every((e) => e === 'allow') && !p.only;
    // "Payments are allowed only to A; anything else needs approval": the next clause says
    // what happens to the rest, instead of the denial "only" alone would give.
    const onlyAllow = p.effects.length > 0 && p.effects.every((e) => e === 'allow') && p.only;
    if ((allowOnly || onlyAllow) && parsed[i + 1]?.otherwise) {
      // The next clause restricts what this one did not permit; it is compiled there.
      permitted.push(clauses[i]?.trim() ?? '');
      continue;
    }
    if (allowOnly && p.origins.length > 0 && parsed.some((q) => q.effects.some((e) => e !== 'allow'))) {
      // "Recipients the user typed are fine; …": values of a trusted origin are what the
      // restricting clause leaves alone, which adds no rule of its own.
      permitted.push(clauses[i]?.trim() ?? '');
      continue;
    }
    if (allowOnly) {
      const r = compileClause(p, sentence, vocabulary);
      // A capped permission ("may pay up to $500") restricts what lies above the cap.
      if (r.ok) {
        permitting.push(...r.meanings.filter((m) => m.effect === 'allow'));
        if (p.noApproval) noApproval.push(...r.meanings.filter((m) => m.effect === 'allow'));
        restricting.push(...r.meanings.filter((m) => m.effect !== 'allow'));
        // "Staging may be modified freely, but …": a permission of calls the catalog does not
        // have changes no decision; it is noted, not refused.
      } else if (r.refusal.code !== 'GH_NL_NO_ACTION' && r.refusal.code !== 'GH_NL_NO_TOOL') return r;
      permitted.push(clauses[i]?.trim() ?? '');
      continue;
    }
    let r = compileClause(p, sentence, vocabulary);
    if (!r.ok && r.refusal.code === 'GH_NL_NO_TOOL' && !p.pronoun && i > 0) {
      // "… but not to transfer money": the clause's own action, not the one before's.
      const mine = own[i] as ParsedSentence;
      r = compileClause(
        {
          ...mine,
          agents: p.agents,
          exceptAgents: p.exceptAgents,
          // An effect the clause took from the one before ("…, production deletes are not").
          effects: p.effects,
          ...(p.approvers !== undefined && { approvers: p.approvers }),
          groups: p.groups,
          people: p.people,
          ...(p.peopleJoin !== undefined && { peopleJoin: p.peopleJoin }),
          // The group of the people named, if the first compile declared it: not a group named.
          ...(p.peopleGroup !== undefined && { peopleGroup: p.peopleGroup }),
          ellipsis: undefined,
        },
        sentence,
        vocabulary,
      );
    }
    if (!r.ok) return r;
    restricting.push(...r.meanings);
    // "may be sent only during triage": what the "only" keeps is permitted, and a denial of it
    // in another clause ("… and never during triage") takes it back.
    if (p.only && p.effects.length > 0 && p.effects.every((e) => e === 'allow')) {
      const kept = compileClause({ ...p, only: false }, sentence, vocabulary);
      if (kept.ok) onlyKept.push(...kept.meanings.filter((m) => m.effect === 'allow'));
    }
  }
  for (const allow of noApproval)
    for (const r of restricting)
      if (r.effect === 'approve' && asksAbout(allow, r))
        return refuse(
          'GH_NL_AMBIGUOUS_EFFECT',
          `the sentence asks for approval of calls it says need none (${r.tools.filter((t) => allow.tools.includes(t)).join(', ')}): write what needs approval once`,
        );
  for (const allow of onlyKept)
    for (const r of restricting)
      if (r.effect === 'deny' && allow.conditions.length > 0 && contradicts(allow, r))
        return refuse(
          'GH_NL_AMBIGUOUS_EFFECT',
          `the sentence permits calls with "only" and denies the same calls (${r.tools.filter((t) => allow.tools.includes(t)).join(', ')}): write what is denied once`,
        );
  if (restricting.length === 0)
    return permitting.length > 0
      ? { ok: true, meanings: permitting }
      : refuse('GH_NL_NO_EFFECT', 'no clause says what is allowed, asked or denied');
  for (const allow of permitting)
    for (const r of restricting)
      if (contradicts(allow, r))
        return refuse(
          'GH_NL_AMBIGUOUS_EFFECT',
          `the sentence both permits and restricts the same calls (${r.tools.filter((t) => allow.tools.includes(t)).join(', ')}): write what is restricted once`,
        );
  const unreached = unreachedApproval(restricting);
  if (unreached)
    return refuse(
      'GH_NL_AMBIGUOUS_EFFECT',
      `the approval asked for ${unreached} is never reached: a clause before denies those calls outright; write the exception with "except"`,
    );
  const notes = permitted.map(
    (c) =>
      `"${c}" adds no rule: a permission is what the grants already give, and deny or approve rules win over it`,
  );
  return {
    ok: true,
    meanings: restricting.map((m, i) => (i === 0 ? { ...m, notes: [...m.notes, ...notes] } : m)),
  };
}
