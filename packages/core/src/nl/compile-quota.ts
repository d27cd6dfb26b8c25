import { MAX_QUOTA_WINDOW_MS } from '../policy/compile-rules.js';
import { MAX_QUOTA } from '../policy/schema.js';
import type { SentenceMeaning } from './meaning.js';
import { NUMBER_UNITS } from './normalize.js';
import { type Refusal, refuse } from './refusal.js';

/*
 * Counts per period ("at most 3 transfers per day", "no more than 20 emails per hour", "up to 50
 * messages each hour; beyond that it must ask"): the count and the period are taken out of the
 * sentence, what is left says which calls are counted (and is compiled by the grammar as a
 * permission), and each permission becomes a deny (or approve) rule with a quota. Kept apart
 * from the grammar's passes: a sentence with no count per period never comes here.
 */

/** A count per period found in a sentence, and the sentence(s) left to compile. */
export interface QuotaSplit {
  readonly max: number;
  /** The window as the policy writes it (`1h`, `1d`, `7d`). */
  readonly per: string;
  /** What happens past the count: refused, or asked of a person. */
  readonly effect: 'deny' | 'approve';
  /** The calls counted, as a sentence the grammar reads as a permission, and its fallbacks. */
  readonly counted: readonly string[];
  /** Sentences the quota sentence also states ("and none over $2,000"), compiled as they are. */
  readonly also: readonly string[];
  readonly notes: readonly string[];
}

// A count in words: the normaliser's number words below a hundred, and the few longer ones
// a count is said with.
const NUMBER_WORDS: Readonly<Record<string, number>> = {
  ...NUMBER_UNITS,
  'a single': 1,
  'a hundred': 100,
  'one hundred': 100,
};
/** A count: figures (never after a minus sign, a currency sign or other figures) or a number word. */
const N = `((?<![-\\d$€£.,])\\d[\\d,]*|${Object.keys(NUMBER_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|')})`;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000, month: 2_592_000_000 };
const UNIT_PER: Readonly<Record<keyof typeof UNIT_MS, [number, string]>> = {
  minute: [1, 'm'],
  hour: [1, 'h'],
  day: [1, 'd'],
  week: [7, 'd'],
  month: [30, 'd'],
};
const PERIOD =
  /(?:^|\s|,)(?:(?:per|a|an|each|every|in\s(?:an?|any|one)|within\s(?:an?|any|one)|over\s(?:an?|any))\s(?:(\d+)[\s-])?(minute|hour|day|week|month)s?|(hourly|daily|weekly|monthly))(?=[\s,.;!?]|$)/i;

/**
 * The ways a sentence bounds a count, and what is left in its place; `trailing`: the bound is
 * only a bound with "max" or "at most" after the period ("Two deletes per day max").
 */
const BOUNDS: readonly { re: RegExp; keep: (m: RegExpExecArray) => string; trailing?: true }[] = [
  // "Sandbox wipes: max 1", "Transfers: no more than 100".
  {
    re: new RegExp(
      `^\\s*([^:]{1,60}):\\s*(?:max(?:imum)?|at\\smost|no\\smore\\sthan|up\\sto)\\s${N}\\b`,
      'i',
    ),
    keep: (m) => `Allow ${m[1]} `,
  },
  // "may not send more than 50 emails", "can't send more than 3 emails": the calls up to the count are allowed.
  {
    re: new RegExp(
      `\\b(?:cannot|can't|can\\snot|may\\snot|must\\snot|mustn't|should\\snot|shall\\snot)\\s((?:[a-z_]+\\s)?)more\\sthan\\s${N}\\s`,
      'i',
    ),
    keep: (m) => ` may ${m[1]}`,
  },
  // "No agent may send more than 100 emails": every agent may, up to the count.
  {
    re: new RegExp(
      `\\bno\\s(?:agent|one)\\s(?:may|can|shall|should|is\\sallowed\\sto)\\s((?:[a-z_]+\\s)?)more\\sthan\\s${N}\\s`,
      'i',
    ),
    keep: (m) => ` agents may ${m[1]}`,
  },
  // "at most 3 transfers", "no more than 20 emails", "up to 50 messages", "a maximum of two emails";
  // not "up to 50 times", whose count is of the calls the bound after this one reads.
  {
    re: new RegExp(
      `\\b(?:at\\smost|no\\smore\\sthan|not\\smore\\sthan|up\\sto|a\\smaximum\\sof|maximum\\sof|max(?:imum)?|only|just)\\s${N}\\s(?!times\\b)`,
      'i',
    ),
    keep: () => ' ',
  },
  // "at most once", "only twice", "3 times".
  {
    re: new RegExp(
      `\\b(?:(?:at\\smost|no\\smore\\sthan|only|just|up\\sto)\\s)?(once|twice|(?:${N.slice(1, -1)})\\stimes)\\b`,
      'i',
    ),
    keep: () => ' ',
  },
  // "are capped at 5", "is limited to one".
  {
    re: new RegExp(`\\b(is|are)\\s(?:capped|limited|restricted|rate-limited)\\s(?:at|to)\\s${N}\\b`, 'i'),
    keep: (m) => ` ${m[1]} allowed `,
  },
  // "Limit sandbox deletions to 3", "Cap the ops agent at 100 orders_db queries".
  {
    re: new RegExp(
      `^\\s*(?:please\\s)?(?:limit|cap|restrict|rate-limit|rate\\slimit)\\s(.+?)\\s(?:to|at)\\s${N}\\b`,
      'i',
    ),
    keep: (m) => `Allow ${m[1]} `,
  },
  // "Two orders_db deletes … max", "50 messages … at most".
  { re: new RegExp(`^\\s*${N}\\s`, 'i'), keep: () => 'Allow ', trailing: true },
  { re: new RegExp(`(?<=\\s)${N}\\s`, 'i'), keep: () => ' ', trailing: true },
];
/** Mail named with no verb or direction before it; not the word in an agent's name ("the email assistant"). */
const BARE_MAIL =
  /(?<!\b(?:send|sends|sending|sent|read|reads|reading|delete|deletes|deleting|forward|forwards|outgoing|incoming|external|internal|outbound|inbound|list|lists|listing|open|opens)\s)\b(?:e-?mails?|messages?|mails?)\b(?![\s-](?:assistant|agent|bot)s?\b)/i;
/** Words after a number that make it an amount or a size: such a bound is no count of calls. */
const UNITS =
  /^\s*(?:dollars?|usd|euros?|eur|pounds?|gbp|k|thousand|million|bucks|cents?|mb|gb|kb|tb|bytes?|megabytes?|gigabytes?|rows?|records?|recipients?|minutes?\sof|hours?\sof|percent|%)\b/i;
/** The count's bound restated after the period: "per day max", "per hour at most". */
const TRAILING_BOUND = /^\s*,?\s*(?:max(?:imum)?|at\smost|tops)\b/i;

/** "; beyond that it must ask", "anything beyond that is blocked". */
const BEYOND =
  /\s*[;,.]?\s*(?:and\s|but\s)?(?:anything\s|everything\s)?(?:beyond|above|past|over|after)\s(?:that|this|it|the\s(?:limit|cap|quota))\s*,?\s*(?:it\s|each\s(?:one\s)?|every\s(?:one\s)?|they\s|the\sagent\s|each\s(?:additional|further|extra)\s[a-z]+\s)?(must\sask|needs?\s(?:a\s)?(?:sign-off|approval|a\shuman|human\sapproval)|requires?\s(?:approval|sign-off)|must\sbe\sapproved|(?:is|are)\s(?:blocked|denied|refused|forbidden|not\sallowed))\s*[.!]?\s*$/i;
/** "; internal email is unlimited", "; smaller ones are unlimited": the calls not counted, said again. */
const UNCOUNTED =
  /\s*[;,]\s*(?:and\s|but\s)?[^;,]{1,60}\b(?:is|are)\s(?:unlimited|uncapped|not\slimited|not\scounted)\s*[.!]?\s*$/i;
/** ", and none of them over $2,000", "and never to outside addresses": counted calls that are refused outright. */
const NONE_TAIL =
  /\s*[;,]\s*(?:and\s|but\s)?(?:none(?:\sof\sthem)?|never)\s(?:(?:may|can|should)\sbe\s|is\s|are\s|(?:may\s|can\s)?go\s)?(.+?)\s*[.!]?\s*$/i;
/** ", each no more than $2,000". */
const EACH_AT_MOST =
  /\s*[;,]\s*(?:and\s)?each(?:\sone)?\s(?:no\smore\sthan|at\smost|up\sto)\s((?:[$€£]\s?)?\d[\d,]*(?:\.\d+)?)\s*[.!]?\s*$/i;
/** "; each one also needs approval from finance", ", and each one to an external address needs approval". */
const EACH_NEEDS =
  /\s*[;,]\s*(?:and\s)?each(?:\sone)?(?:\sof\sthem)?(?:\salso)?\s(.*?)\b(needs|requires|need|require)\s(.+?)\s*[.!]?\s*$/i;

/**
 * The counted calls as a noun phrase ("transfers", "production deletes") for a second sentence
 * about the same calls; undefined when the phrase also names an agent or an effect, which a
 * second sentence could not carry over safely.
 */
function nounOf(counted: string): string | undefined {
  const noun = counted
    .replace(/^allow\s/i, '')
    .replace(/\s(?:are|is)\sallowed$/i, '')
    .trim();
  return /\b(?:may|can|must|cannot|agent|assistant|allowed|denied)\b/i.test(noun) || noun === ''
    ? undefined
    : noun;
}

/** What the sentence says of the counted calls besides the count, as a sentence of its own. */
const TAILS: readonly {
  re: RegExp;
  sentence: (noun: string, m: RegExpExecArray) => string;
  /** The tail after the counted calls said with a verb ("agents may delete orders, and never …"). */
  clause?: (counted: string, m: RegExpExecArray) => string | undefined;
}[] = [
  { re: EACH_AT_MOST, sentence: (noun, m) => `${noun} over ${m[1]} are denied.` },
  {
    re: EACH_NEEDS,
    sentence: (noun, m) => `${noun} ${m[1]}${(m[2] as string).replace(/s$/i, '')} ${m[3]}.`,
    // "…, and each pull needs approval": one word between "each" and the verb names the call
    // itself; anything longer may narrow it, which "they" would not.
    clause: (counted, m) =>
      /^(?:[a-z]+\s)?$/i.test(m[1] as string) ? `${counted}, and they need ${m[3]}.` : undefined,
  },
  {
    re: NONE_TAIL,
    sentence: (noun, m) => `${noun} ${m[1]} are denied.`,
    clause: (counted, m) => `${counted}, and never ${m[1]}.`,
  },
];

/** The sentence without its tail ("…, and none over $2,000"), the tail's words, and its own sentence. */
function cutTail(text: string):
  | {
      text: string;
      said: string;
      sentence: (noun: string) => string;
      clause: ((counted: string) => string | undefined) | undefined;
    }
  | undefined {
  for (const t of TAILS) {
    const m = t.re.exec(text);
    if (m)
      return {
        text: text.slice(0, m.index),
        said: m[0].replace(/^[\s;,]+/, '').trim(),
        sentence: (noun) => t.sentence(noun, m),
        clause: t.clause && ((counted) => t.clause?.(counted, m)),
      };
  }
  return undefined;
}

function countOf(text: string): number {
  const word = NUMBER_WORDS[text.toLowerCase()];
  if (word !== undefined) return word;
  if (/^once$/i.test(text)) return 1;
  if (/^twice$/i.test(text)) return 2;
  return Number(text.replace(/,/g, '').replace(/\stimes$/i, ''));
}

/**
 * The count per period a sentence states, or undefined when it states none (the grammar reads
 * it as it always did). A count beyond what a policy can hold, or a period beyond 30 days, is a
 * refusal.
 */
export function splitQuota(sentence: string): QuotaSplit | { readonly refusal: Refusal } | undefined {
  // "should make at most ten transfers a day": the bound is the rule, said as "may make".
  let text = ` ${sentence.trim()} `.replace(
    /\bshould (?=(?:make|send|run|perform|issue|do) (?:at most|no more than|up to|not more than)\b)/i,
    'may ',
  );
  let effect: 'deny' | 'approve' = 'deny';
  const notes: string[] = [];
  const also: string[] = [];
  const beyond = BEYOND.exec(text);
  const period = PERIOD.exec(text);
  if (!period) return undefined;
  if (beyond && beyond.index > period.index) {
    if (/ask|approv|sign-off|human/i.test(beyond[1] as string)) effect = 'approve';
    text = `${text.slice(0, beyond.index)} `;
    notes.push(
      `"${beyond[0].trim()}": past the count, calls are ${effect === 'approve' ? 'asked of a person' : 'refused'}`,
    );
  }
  const periodNow = PERIOD.exec(text);
  if (!periodNow || PERIOD.exec(text.slice(periodNow.index + periodNow[0].length))) return undefined;
  const amount = periodNow[1] === undefined ? 1 : Number(periodNow[1]);
  const unit = (periodNow[2] ?? periodNow[3]?.replace(/ly$/i, '').replace(/^dai$/i, 'day'))?.toLowerCase() as
    | keyof typeof UNIT_MS
    | undefined;
  if (!unit || !(unit in UNIT_MS)) return undefined;
  const trailing = TRAILING_BOUND.exec(text.slice(periodNow.index + periodNow[0].length));
  const periodLength = periodNow[0].length + (trailing?.[0].length ?? 0);
  let bound: { match: RegExpExecArray; keep: string } | undefined;
  for (const b of BOUNDS) {
    const m = b.re.exec(text);
    if (m && (!b.trailing || trailing)) {
      bound = { match: m, keep: b.keep(m) };
      break;
    }
  }
  if (!bound) return undefined;
  // "more than 500 dollars per day", "10 MB per day": a sum or a size, not a count of calls.
  const after = text.slice(bound.match.index + bound.match[0].length);
  if (UNITS.test(after)) return undefined;
  const countText = bound.match
    .slice(1)
    .find((g) => g !== undefined && new RegExp(`^${N}$|^(?:once|twice)$|times$`, 'i').test(g));
  if (countText === undefined) return undefined;
  const max = countOf(countText);
  if (!Number.isSafeInteger(max) || max > MAX_QUOTA)
    return {
      refusal: refuse(
        'GH_NL_UNSUPPORTED',
        `"${countText}": a quota counts at most ${MAX_QUOTA.toLocaleString('en-US')} calls`,
      ).refusal,
    };
  const windowMs = amount * UNIT_MS[unit];
  if (windowMs > MAX_QUOTA_WINDOW_MS)
    return {
      refusal: refuse('GH_NL_UNSUPPORTED', `"${periodNow[0].trim()}": a quota's period is at most 30 days`)
        .refusal,
    };
  const [factor, suffix] = UNIT_PER[unit];
  const per = `${amount * factor}${suffix}`;
  if (unit === 'month') notes.push(`"${periodNow[0].trim()}" is taken as 30 days`);
  // Cut the period first (it comes after the bound, or before it at the start), then the bound.
  const cuts = [
    { at: periodNow.index, length: periodLength, keep: ' ' },
    { at: bound.match.index, length: bound.match[0].length, keep: bound.keep },
  ].sort((a, b) => b.at - a.at);
  if (cuts[0]!.at < cuts[1]!.at + cuts[1]!.length) return undefined;
  for (const c of cuts) text = `${text.slice(0, c.at)}${c.keep}${text.slice(c.at + c.length)}`;
  const uncounted = UNCOUNTED.exec(text);
  if (uncounted) {
    notes.push(`"${uncounted[0].replace(/^[\s;,]+/, '').trim()}": the calls the quota does not count`);
    text = text.slice(0, uncounted.index);
  }
  const tail = cutTail(text);
  text = tail?.text ?? text;
  text = text
    .replace(/\s+/g, ' ')
    .replace(/\s([,.;:!?])/g, '$1')
    .replace(/^[\s,;:]+|[\s,;:.]+$/g, '');
  // "100 emails per hour": a count of mail is of the mail sent, not of every mail tool's calls.
  const bare = BARE_MAIL.exec(text);
  if (bare) {
    text = `${text.slice(0, bare.index)}outgoing ${text.slice(bare.index)}`;
    notes.push(`"${bare[0]}" counts the ${bare[0]} sent`);
  }
  if (tail) {
    const noun = nounOf(text);
    // Counted calls said with a verb: the tail is a clause after the permission, which carries
    // its action ("agents may delete orders, and never on weekends").
    const clause = noun === undefined ? tail.clause?.(text) : undefined;
    if (clause !== undefined) also.push(clause);
    else if (noun === undefined)
      return {
        refusal: refuse(
          'GH_NL_UNSUPPORTED',
          `"${tail.said}": say it in a sentence of its own, naming the calls`,
        ).refusal,
      };
    else also.push(tail.sentence(noun));
  }
  notes.push(`"${sentence.trim()}" counts the agent's calls: the rule applies once ${max} ran within ${per}`);
  const counted = [text, `Allow ${stripAllow(text)}`, `${stripAllow(text)} are allowed`].map((s) =>
    /[.!]$/.test(s) ? s : `${s}.`,
  );
  return { max, per, effect, counted: [...new Set(counted)], also, notes };
}

const stripAllow = (text: string) => text.replace(/^allow\s/i, '').replace(/[.!]$/, '');

/**
 * The quota rules of a sentence: each permission the counted calls compile to, turned into a
 * deny (or approve) rule with the quota, plus what the sentence also states. `compile` is the
 * grammar (compileSentence), passed in so that this file does not import it back.
 */
export function quotaMeanings(
  sentence: string,
  split: QuotaSplit,
  compile: (
    text: string,
  ) => { ok: true; meanings: readonly SentenceMeaning[] } | { ok: false; refusal: Refusal },
): { ok: true; meanings: readonly SentenceMeaning[] } | { ok: false; refusal: Refusal } {
  let first: { ok: false; refusal: Refusal } | undefined;
  let counted: readonly SentenceMeaning[] | undefined;
  for (const candidate of split.counted) {
    const r = compile(candidate);
    if (!r.ok) {
      first ??= r;
      continue;
    }
    if (r.meanings.some((m) => m.effect === 'allow') && r.meanings.every((m) => m.quota === undefined)) {
      counted = r.meanings;
      break;
    }
  }
  if (!counted)
    return (
      first ??
      refuse(
        'GH_NL_UNSUPPORTED',
        'a count per period must say which calls it counts ("at most 3 transfers per day")',
      )
    );
  const meanings: SentenceMeaning[] = [];
  for (const m of counted) {
    if (m.effect !== 'allow') {
      meanings.push({ ...m, sentence });
      continue;
    }
    const { approval: _approval, ...rest } = m;
    meanings.push({
      ...rest,
      sentence,
      effect: split.effect,
      ...(split.effect === 'approve' && { approval: { approvers: 1, groups: [] } }),
      quota: { max: split.max, per: split.per },
      notes: [...m.notes, ...split.notes],
    });
  }
  for (const extra of split.also) {
    const r = compile(extra);
    if (!r.ok) return r;
    meanings.push(...r.meanings.map((m) => ({ ...m, sentence })));
  }
  return { ok: true, meanings };
}
