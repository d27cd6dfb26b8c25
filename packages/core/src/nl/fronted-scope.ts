import type { ParsedSentence } from './parsed.js';

/** A phrase that opens a clause and is set off by a comma: "on weekends , …", "in production , …". */
const FRONTED =
  /^ ((?:if|when|whenever|while|once|during|on|in|at|after|before|outside|from|between) [^,;]{2,80}?) , (.+)$/;
const FRONTING_WORD = /^(?:if|when|whenever|while|once|during|on|in|at|after|before|outside|from|between)$/;

/**
 * Whether a phrase says conditions and nothing else, every word consumed: fillers too, or "on
 * weekends the" would take the subject's article.
 */
export const conditionsOnly = (p: ParsedSentence) =>
  p.conditions.length > 0 &&
  p.rest.every((w) => w === '§') &&
  p.effects.length === 0 &&
  p.agents.length === 0 &&
  p.objects.length === 0 &&
  p.verbs.length === 0 &&
  p.origins.length === 0;

/** The opening phrase of conditions and the rest: set off by a comma, or the longest run of opening words that is one. */
function frontedOf(
  text: string,
  parse: (text: string) => ParsedSentence,
): { fronted: ParsedSentence; rest: string } | undefined {
  const m = FRONTED.exec(text);
  if (m) {
    const fronted = parse(` ${m[1]} `);
    return conditionsOnly(fronted) ? { fronted, rest: ` ${m[2]} ` } : undefined;
  }
  const words = text.trim().split(' ');
  if (!FRONTING_WORD.test(words[0] ?? '')) return undefined;
  return leadingConditions(words, parse);
}

/**
 * The longest run of a clause's opening words (two to ten, leaving two at least) that says
 * conditions and nothing else, and the words after it: a fronted condition written without the
 * comma that would set it off.
 */
export function leadingConditions(
  words: readonly string[],
  parse: (text: string) => ParsedSentence,
): { fronted: ParsedSentence; said: string; rest: string } | undefined {
  for (let n = Math.min(words.length - 2, 10); n >= 2; n--) {
    const said = words.slice(0, n).join(' ');
    const fronted = parse(` ${said} `);
    if (conditionsOnly(fronted)) return { fronted, said, rest: ` ${words.slice(n).join(' ')} ` };
  }
  return undefined;
}

/**
 * "On weekends, the finance agent may only pay up to $500": the fronted situation says when the
 * "only" holds, not a second condition it says must hold (read as one, every weekday payment is
 * denied and so is every large one, weekend or not). The kinds of the fronted conditions are
 * marked as the "only"'s scope. A condition of the same kind after it leaves which is scope and
 * which is limit unsaid: refused.
 */
export function scopeFronted(
  normalized: string,
  parsed: ParsedSentence,
  parse: (text: string) => ParsedSentence,
): void {
  if (!parsed.only) return;
  const found = frontedOf(` ${normalized.trim()} `, parse);
  if (!found) return;
  const kinds = [...new Set(found.fronted.conditions.map((c) => c.kind))];
  if (parse(found.rest).conditions.some((c) => kinds.includes(c.kind))) {
    parsed.unsupported.push(
      `a ${kinds.join(' and ')} condition said before the sentence and another after "only": write which one the "only" says must hold`,
    );
    return;
  }
  parsed.frontedScope = kinds;
}
