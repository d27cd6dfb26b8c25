import { DAY_NUMBERS } from './lexicon.js';
import { LABEL_PHRASES } from './lexicon-labels.js';
import { ANY_INTENT, type Comparison } from './meaning.js';
import { parseDates, SEASON_MONTHS } from './parse-dates.js';
import { parseRecipientCount, parseRecipients } from './parse-recipients.js';
import { parseSessionLabels } from './parse-session-labels.js';
import { alt, type ParsedCondition, type ParsedSentence, type Take } from './parsed.js';
import { gerund, type Vocabulary } from './vocabulary.js';

/**
 * The condition passes of the grammar: session labels, amounts, counts, recipients, time
 * windows, days, states and intents. Each consumes the phrases it recognises from the
 * sentence through `take` and records what they mean in `parsed`.
 */

const AMOUNT =
  '([$€£]\\s?)?(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d+))?\\s?(k|m|thousand|million)?(?:\\s(dollars?|usd|euros?|eur|pounds?|gbp))?(?:\\s(?:in value|each))?';
/** Units and currencies a figure may carry that a tool's bare number does not. */
const FOREIGN_UNITS = [
  'cents',
  'cent',
  'pence',
  'penny',
  'yen',
  'jpy',
  'yuan',
  'cny',
  'rmb',
  'rupees',
  'inr',
  'francs',
  'chf',
  'cad',
  'aud',
  'btc',
  'bitcoin',
  'bitcoins',
  'eth',
  'ether',
  'crypto',
  'shares',
  'share',
  'units',
  'items',
  'rows',
  'records',
  'files',
  'percent',
  '%',
  'per cent',
  'basis points',
  'bps',
  'points',
  'tokens',
  'credits',
  'gb',
  'mb',
  'kb',
  'tb',
  'bytes',
  'minutes',
  'seconds',
  'hours',
  'days',
  'weeks',
  'months',
  'years',
];
const HOUR = '(\\d{1,2})(?::(\\d{2}))?\\s?(am|pm)?(?:\\s?utc)?';
function amountOf(m: RegExpExecArray, at: number): { value: number; currency?: string } {
  const whole = Number((m[at + 1] ?? '0').replace(/,/g, ''));
  const fraction = m[at + 2] ? Number(`0.${m[at + 2]}`) : 0;
  const unit = m[at + 3];
  const scale = unit === 'k' || unit === 'thousand' ? 1000 : unit === 'm' || unit === 'million' ? 1e6 : 1;
  const symbol = m[at];
  const word = m[at + 4];
  const currency =
    symbol?.includes('$') || /dollar|usd/.test(word ?? '')
      ? 'USD'
      : symbol?.includes('€') || /eur/.test(word ?? '')
        ? 'EUR'
        : symbol?.includes('£') || /pound|gbp/.test(word ?? '')
          ? 'GBP'
          : undefined;
  return { value: Math.round((whole + fraction) * scale * 100) / 100, ...(currency && { currency }) };
}

/**
 * A whole hour of the day, or NaN: a rule compares `now.getHours()`, so "9:30" cannot be said
 * exactly and is refused rather than rounded.
 */
function hourOf(h: string | undefined, min: string | undefined, meridiem: string | undefined): number {
  let hour = Number(h);
  if (min !== undefined && min !== '00') return Number.NaN;
  if (meridiem !== undefined && (hour < 1 || hour > 12)) return Number.NaN;
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  return hour >= 0 && hour <= 24 ? hour : Number.NaN;
}

/** "after 20" may be a count: a time needs am/pm, minutes or UTC to be read as one. */
/**
 * The ways a writer says a call happens inside an intent's work: "while an agent is doing X",
 * "when working on X", "in the course of X", "as part of X". A named agent before "is doing" is not read here: it is
 * the rule's subject, and normalizing strips only the generic "an agent is".
 */
const INTENT_DOING =
  '(?:while|when)\\s(?:(?:it|they|someone)\\s(?:is|are)\\s)?(?:doing|working\\son|performing|handling|busy\\swith)\\s|in\\sthe\\scourse\\sof\\s|as\\spart\\sof\\s';
const isClockTime = (text: string) => /\d\s?(?:am|pm)|:\d\d|utc/.test(text);

/** Runs the condition passes, in order, over what the earlier passes left of the sentence. */
export function parseConditions(take: Take, parsed: ParsedSentence, vocabulary: Vocabulary): void {
  parseRecipientCount(take, parsed);
  // Session labels.
  const labelPhrases: Record<string, string> = { ...LABEL_PHRASES };
  for (const l of vocabulary.labels) labelPhrases[l.replace(/_/g, ' ')] ??= l;
  take(
    `(?:in\\s|during\\s)?(?:a\\s|any\\s)?(?:sessions?\\s)?(?:after|once|when|where|that|which|if)\\s(?:the\\s|a\\s|its\\s|it\\s)?(?:session\\s|agent\\s)?(?:has\\s|have\\s)?(?:seen|sees|read|reads|reading|seeing|touched|touches|touching|handled|handles|handling|contains?|containing|holds?|carries|carry|saw|ingested|ingests|views|viewed)\\s(?:any\\s)?(${alt(Object.keys(labelPhrases))})(?:\\s(?:content|data|output|outputs|text|information|values))?`,
    (m) => {
      parsed.conditions.push({ kind: 'session-label', label: labelPhrases[m[1] as string] as string });
      return true;
    },
  );
  take(
    `(?:in\\s|during\\s)?sessions?\\s(?:labell?ed|tagged|marked)\\s(${alt(Object.keys(labelPhrases))})`,
    (m) => {
      parsed.conditions.push({ kind: 'session-label', label: labelPhrases[m[1] as string] as string });
      return true;
    },
  );

  parseSessionLabels(take, parsed, labelPhrases);

  // Counts per session (a count per period is a quota: compile-quota.ts reads it first).
  // session.calls counts every call of the session: "more than 5 emails" (or "5 times") counts
  // one tool's calls, which it is not, so only calls, requests and actions are read.
  take(
    `(?:after\\s)?(?:more than|over)\\s(\\d+)\\s(?:calls|tool calls|requests|actions)?\\s?(?:in|per|within|during|of)\\s(?:a\\s|one\\s|the\\s|each\\s)?session|after\\s(\\d+)\\s(?:calls|tool calls|requests|actions)\\s(?:in|within|during|of)\\s(?:a\\s|one\\s|the\\s)?session`,
    (m) => {
      const n = Number(m[1] ?? m[2]);
      parsed.conditions.push({ kind: 'calls', op: '>=', value: n });
      parsed.notes.push(`"${m[0]}" counts the calls the session made before this one (session.calls ≥ ${n})`);
      return true;
    },
  );

  // Amounts.
  const UP =
    '(?:of\\s)?(?:strictly\\s)?(?:over|above|more than|greater than|larger than|bigger than|higher than|exceeding|that exceed|which exceed|that exceeds|exceeds|exceed|worth more than|in excess of|beyond)';
  const ATLEAST =
    '(?:of\\s)?(?:at or (?:above|over|more than|greater than)|(?:equal to|the same as) or (?:above|over|more than|greater than|larger than|higher than)|at least|no less than|not less than|(?:a\\s)?minimum of|(?:greater|larger|bigger|higher|more) than or equal to|min)';
  const DOWN = '(?:of\\s)?(?:strictly\\s)?(?:under|below|less than|lower than|smaller than|worth less than)';
  const ATMOST =
    '(?:of\\s)?(?:at or (?:below|under|less than|lower than)|(?:equal to|the same as) or (?:below|under|less than|lower than|smaller than)|up to|at most|no more than|not more than|not exceeding|not over|(?:a\\s)?maximum of|(?:less|lower|smaller) than or equal to|max)';
  // "no more than" before "more than": the longer phrase holds the shorter one.
  const comparisons: [string, Comparison][] = [
    [ATMOST, '<='],
    [ATLEAST, '>='],
    [UP, '>'],
    [DOWN, '<'],
  ];
  // "amount > 750", "where the amount is over 750": the argument named before its comparison.
  take(
    `(?:where\\s|when\\s|with\\s|if\\s)?(?:the\\s|an?\\s)?(?:amounts?|values?|totals?|sums?)(?:\\sis|\\sare)?(?=\\s(?:${UP}|${ATLEAST}|${DOWN}|${ATMOST})\\s)`,
    () => true,
  );
  // The tool's amount carries no currency; the dollar is read as its own figure (the seed's
  // "$1,000"). A figure in euros or pounds compared as that number would be a wrong rule
  // wherever the tool counts in another currency: refused, not guessed.
  take(
    '(?:[€£]\\s?\\d[\\d,.]*\\s?(?:k|m|thousand|million)?|\\d[\\d,.]*\\s?(?:k|m|thousand|million)?\\s(?:euros?|eur|pounds?|gbp)\\b)',
    (m) => {
      parsed.unsupported.push(
        `"${m[0]}": the tool's amount has no currency; a figure in euros or pounds would be compared as if it were the tool's own. Write the figure alone (or in dollars)`,
      );
      return true;
    },
  );
  // A figure in a unit the tool's number does not carry (shares, cents, yen, a percentage)
  // would be compared as if it were the tool's own unit: a wrong rule, refused instead.
  take(
    `(?:${UP}|${ATLEAST}|${DOWN}|${ATMOST}|between|from)?\\s?\\d[\\d,.]*\\s?(?:k|m)?\\s?(${alt(FOREIGN_UNITS)})(?=\\s)`,
    (m) => {
      parsed.unsupported.push(
        `"${m[0]}": the tool's amount has no unit ${m[1]}; only a bare figure or dollars are read, as the tool's own figure`,
      );
      return true;
    },
  );
  // "$1.000" is a thousand in much of Europe and one elsewhere: refused, not guessed.
  take('[$€£]?\\d{1,3}(?:\\.\\d{3})+(?![\\d,])', (m) => {
    parsed.unsupported.push(`"${m[0]}": a dot before three figures may group thousands; write 1,000 or 1000`);
    return true;
  });
  // "between $100 and $500": both bounds hold (inclusive, as people mean a range of prices).
  take(`(?:of\\s)?(?:between|from)\\s${AMOUNT}\\s(?:and|to|through|-)\\s${AMOUNT}`, (m) => {
    const low = amountOf(m, 1);
    const high = amountOf(m, 6);
    if (!(low.value < high.value)) return false;
    parsed.conditions.push({ kind: 'amount', op: '>=', ...low });
    parsed.conditions.push({ kind: 'amount', op: '<=', ...high });
    parsed.notes.push(`"${m[0]}" includes both ends`);
    return true;
  });
  for (const [words, op] of comparisons) {
    take(`${words}\\s${AMOUNT}`, (m) => {
      parsed.conditions.push({ kind: 'amount', op, ...amountOf(m, 1) });
      return true;
    });
  }
  take(`(?:of\\s)?from\\s${AMOUNT}\\s(?:up|upwards|and up|and above|or more)`, (m) => {
    parsed.conditions.push({ kind: 'amount', op: '>=', ...amountOf(m, 1) });
    return true;
  });
  take(
    '(?:of\\s)?(?:zero or negative|negative or zero|non-positive|zero or less|0 or less|0 or negative)(?:\\samounts?)?',
    () => {
      parsed.conditions.push({ kind: 'amount', op: '<=', value: 0 });
      return true;
    },
  );
  take('(?:of\\s)?negative(?:\\samounts?)?', () => {
    parsed.conditions.push({ kind: 'amount', op: '<', value: 0 });
    return true;
  });
  take(
    `(?:of\\s)?${AMOUNT}\\s(or more|and above|or above|and over|or over|or higher|or greater|or larger|or bigger|and up|or less|and below|or under|or lower|or smaller)`,
    (m) => {
      parsed.conditions.push({
        kind: 'amount',
        op: /more|above|over|higher|greater|larger|bigger|up/.test(m[6] as string) ? '>=' : '<=',
        ...amountOf(m, 1),
      });
      return true;
    },
  );

  // "(exactly $1,500 is fine)": the bound restated, which must be the strict one the sentence set.
  take(
    `\\(\\s?(?:exactly\\s|only\\s)?${AMOUNT}(?:\\sitself|\\sexactly)?\\s(?:is|are|remains?|stays?)\\s(?:still\\s)?(?:fine|ok|allowed|permitted|acceptable)\\s?\\)`,
    (m) => {
      const { value } = amountOf(m, 1);
      const strict = parsed.conditions.some(
        (c) => c.kind === 'amount' && c.value === value && (c.op === '>' || c.op === '<'),
      );
      if (!strict || !parsed.effects.every((e) => e !== 'allow')) return false;
      parsed.notes.push(`"${m[0]}" restates that the bound is strict`);
      return true;
    },
  );
  take('(?:per|a|each|every|in a|in one|within an?)\\s(?:day|hour|minute|week|month|year)', (m) => {
    parsed.unsupported.push(
      `"${m[0]}": a sum per period is not something a rule states, and a count per period is written "at most N <calls> per <period>"`,
    );
    return true;
  });
  // "transfers to any account": every account, which restricts nothing.
  take('to\\s(?:any|every)\\s(?:account|payee|recipient|address|destination)', () => true);
  parseRecipients(take, parsed, vocabulary);
  // "outside example.com and its subdomains": a name under the domain counts as inside it.
  take(
    '(?:,\\s)?(?:and|or|including|plus)\\s(?:its|their|all(?:\\sits)?|any(?:\\sof\\sits)?)\\ssub-?domains',
    () => {
      const at = parsed.conditions.findLastIndex((c) => c.kind === 'recipients' && c.domain !== undefined);
      const c = parsed.conditions[at];
      if (c?.kind !== 'recipients' || c.domain === undefined) return false;
      parsed.conditions[at] = { ...c, also: [...(c.also ?? []), `*.${c.domain}`] };
      return true;
    },
  );

  // Time windows and days.
  // "outside business hours (09:00–17:00 UTC, Monday to Friday)": outside the hours, or on a
  // day outside the days; either one, so one rule each.
  take(
    `outside\\sthe\\swindow\\s(?:,\\s)?between\\s${HOUR}\\s(?:and|to|until)\\s${HOUR}(?:\\s,)?(?:\\s(on weekdays|on weekends))?(?:\\s,)?`,
    (m) => {
      const from = hourOf(m[1], m[2], m[3]);
      const to = hourOf(m[4], m[5], m[6]);
      if (Number.isNaN(from) || Number.isNaN(to) || from === to) return false;
      // "after hours (18:00–08:00)": a window across midnight is the outside hours themselves.
      if (from > to) {
        if (m[7]) return false;
        parsed.conditions.push({ kind: 'hours', from, to, inside: true });
        parsed.notes.push('hours are UTC');
        return true;
      }
      const outside: ParsedCondition[] = [{ kind: 'hours', from, to, inside: false }];
      if (m[7]) outside.push({ kind: 'days', days: m[7] === 'on weekdays' ? [0, 6] : [1, 2, 3, 4, 5] });
      parsed.anyOf = [...(parsed.anyOf ?? []), ...outside];
      parsed.notes.push(
        `outside ${from}:00–${to}:00 UTC${m[7] ? ` ${m[7]}` : ''}: one rule for the hours${m[7] ? ', one for the days' : ''}`,
      );
      return true;
    },
  );
  take('(?:outside|out of)\\s(?:of\\s)?(?:business|office|working|work)\\shours', () => {
    parsed.conditions.push({ kind: 'hours', from: 9, to: 17, inside: false });
    parsed.notes.push('business hours are 09:00–17:00 UTC');
    return true;
  });
  take('(?:during|within|in)\\s(?:business|office|working|work)\\shours', () => {
    parsed.conditions.push({ kind: 'hours', from: 9, to: 17, inside: true });
    parsed.notes.push('business hours are 09:00–17:00 UTC');
    return true;
  });
  take('(?:at night|overnight|during the night|at nighttime)', () => {
    parsed.conditions.push({ kind: 'hours', from: 22, to: 6, inside: true });
    parsed.notes.push('night is 22:00–06:00 UTC');
    return true;
  });
  take(`(?:between|from)\\s${HOUR}\\s(?:and|to|until)\\s${HOUR}`, (m) => {
    const from = hourOf(m[1], m[2], m[3]);
    const to = hourOf(m[4], m[5], m[6]);
    if (!isClockTime(m[0] as string) || Number.isNaN(from) || Number.isNaN(to) || from === to) return false;
    parsed.conditions.push({ kind: 'hours', from, to, inside: true });
    parsed.notes.push('hours are UTC');
    return true;
  });
  take(`before\\s${HOUR}\\s(?:,\\s)?or\\safter\\s${HOUR}`, (m) => {
    const before = hourOf(m[1], m[2], m[3]);
    const after = hourOf(m[4], m[5], m[6]);
    if (!isClockTime(m[0] as string) || Number.isNaN(before) || Number.isNaN(after) || before >= after)
      return false;
    parsed.conditions.push({ kind: 'hours', from: after, to: before, inside: true });
    parsed.notes.push('hours are UTC');
    return true;
  });
  take(`(after|before)\\s${HOUR}`, (m) => {
    const h = hourOf(m[2], m[3], m[4]);
    if (!isClockTime(m[0] as string) || Number.isNaN(h) || h === 0 || h === 24) return false;
    parsed.conditions.push(
      m[1] === 'after'
        ? { kind: 'hours', from: h, to: 24, inside: true }
        : { kind: 'hours', from: 0, to: h, inside: true },
    );
    parsed.notes.push('hours are UTC');
    return true;
  });
  take('(?:on|at|during|over)\\s(?:the\\s)?weekends?', () => {
    parsed.conditions.push({ kind: 'days', days: [0, 6] });
    return true;
  });
  take('(?:on|during)\\sweekdays', () => {
    parsed.conditions.push({ kind: 'days', days: [1, 2, 3, 4, 5] });
    return true;
  });
  // "weekday transfers", "weekend deletes": the day as an adjective.
  take('weekday|weekend', (m) => {
    parsed.conditions.push({ kind: 'days', days: m[0] === 'weekday' ? [1, 2, 3, 4, 5] : [0, 6] });
    return true;
  });
  const DAY = `(${alt(Object.keys(DAY_NUMBERS))})s?`;
  take(`on\\s${DAY}(?:\\s(?:,\\s)?(?:and|or|,)\\s${DAY})*`, (m) => {
    const days = [...(m[0] as string).matchAll(new RegExp(alt(Object.keys(DAY_NUMBERS)), 'g'))].map(
      (d) => DAY_NUMBERS[d[0]] as number,
    );
    parsed.conditions.push({ kind: 'days', days: [...new Set(days)].sort() });
    return true;
  });

  parseDates(take, parsed);

  // States (change freezes) and intents.
  const states = vocabulary.states;
  take('(?<=^\\s)(?:(?:change|code)\\s)?freeze\\s,', () => {
    if (!parsed.conditions.some((c) => c.kind === 'dates' || c.kind === 'yearly'))
      parsed.conditions.push({ kind: 'state', value: 'frozen' });
    parsed.notes.push('"freeze:" heads the sentence');
    return true;
  });
  take(
    `(?:during|in|while|over|throughout|for)\\s(?:a\\s|the\\s|any\\s|our\\s)?(?:(${alt(Object.keys(SEASON_MONTHS))})\\s)?(?:change\\s|code\\s|deploy\\s|deployment\\s)?(?:freezes?|frozen period)|while\\s(?:the\\s)?(?:system\\s|systems\\s|it\\s)?(?:is\\s|are\\s)?frozen`,
    (m) => {
      // "the holiday freeze" names the freeze only if the declared one falls in the holidays.
      const season = m[1] === undefined ? undefined : SEASON_MONTHS[m[1]];
      const declared = vocabulary.stateMonths.get('frozen') ?? [];
      // Dates the sentence gives are the freeze it means, whatever the policy declares.
      if (parsed.conditions.some((c) => c.kind === 'dates' || c.kind === 'yearly')) {
        parsed.notes.push(`"${m[0]}" is the dates the sentence gives`);
        return true;
      }
      if (season && !season.some((month) => declared.includes(month))) return false;
      // "during the freeze", "while the freeze is on" are a period; "while frozen" is the
      // state of what is called.
      parsed.conditions.push({ kind: 'state', value: 'frozen', period: !m[0].endsWith('frozen') });
      return true;
    },
  );
  if (states.length > 0) {
    take(
      `(?:during|while|when)\\s(?:the\\s)?(?:system\\s|systems\\s|it\\s|we\\s|things\\s)?(?:is\\s|are\\s)?(?:in\\s)?(?:a\\s|the\\s)?(${alt(states)})(?:\\s(?:state|period|window|mode))?`,
      (m) => {
        parsed.conditions.push({ kind: 'state', value: m[1] as string });
        return true;
      },
    );
  }
  const intentPhrase = new Map<string, string>();
  for (const [name, phrases] of vocabulary.intents) for (const p of phrases) intentPhrase.set(p, name);
  if (intentPhrase.size > 0) {
    take(
      `(?:in\\s|during\\s|for\\s)?(?:an?\\s|any\\s)?sessions?\\s(?:declared|marked|flagged|tagged|started|opened)\\s(?:as|for|with)\\s(?:an?\\s|the\\s)?(${alt(intentPhrase.keys())})(?:\\s(?:intent|sessions?))?|(?:in\\s|during\\s|for\\s)?(?:an?\\s|any\\s)?sessions?\\s(?:with|whose)\\s(?:the\\s|a\\s)?(?:declared\\s)?intent\\s(?:is\\s|of\\s)?(${alt(intentPhrase.keys())})`,
      (m) => {
        parsed.conditions.push({
          kind: 'intent',
          intent: intentPhrase.get((m[1] ?? m[2]) as string) as string,
          inside: true,
        });
        return true;
      },
    );
    take(
      `(outside\\s|in\\s|during\\s|for\\s|under\\s|${INTENT_DOING}|while\\s|when\\s)(?:of\\s)?(?:an?\\s|the\\s|its\\s)?(?:declared\\s)?(${alt(intentPhrase.keys())})(?:\\s(?:sessions?|intent|tasks?|work))?`,
      (m) => {
        parsed.conditions.push({
          kind: 'intent',
          intent: intentPhrase.get(m[2] as string) as string,
          inside: !(m[1] as string).startsWith('outside'),
        });
        // Fronted and set off by a comma, the intent is where the rest holds, not one of its terms.
        if (
          m.index <= 1 &&
          m.input.slice(m.index + m[0].length).startsWith(' ,') &&
          !m[1]?.startsWith('outside')
        )
          parsed.intentScope = true;
        return true;
      },
    );
    // "no sending mail while triaging": the intent's task alone, when one intent has that task
    // (`inbox-triage` → "triaging") and "while" or "when" says it is the work under way.
    const byTask = new Map<string, string[]>();
    for (const name of vocabulary.intents.keys()) {
      const m = /^[a-z]+[-_ ]([a-z]{4,})$/.exec(name.toLowerCase());
      const task = m?.[1];
      if (!task) continue;
      byTask.set(gerund(task), [...(byTask.get(gerund(task)) ?? []), name]);
    }
    const soleTask = [...byTask].filter(([, names]) => names.length === 1);
    if (soleTask.length > 0)
      take(`(?:while|when)\\s(${alt(soleTask.map(([doing]) => doing))})(?=\\s*$|\\s[,;])`, (m) => {
        parsed.conditions.push({
          kind: 'intent',
          intent: byTask.get(m[1] as string)?.[0] as string,
          inside: true,
        });
        return true;
      });
    // "calls made without a declared intent", "in sessions with no intent": none was declared.
    take(
      '(?:made\\s|(?:in\\s)?(?:an?\\s|any\\s)?sessions?\\s)?(?:without|with\\sno)\\s(?:an?\\s|any\\s)?(?:declared\\s|stated\\s)?intent(?:\\sdeclared)?|when\\sno\\sintent\\s(?:is|has been|was)\\sdeclared',
      () => {
        parsed.conditions.push({ kind: 'intent', intent: ANY_INTENT, inside: false });
        return true;
      },
    );
    // "only the tools of that intent": the tools the intent the clause names lets it call.
    take(
      "(?:the\\s)?tools\\s(?:(?:(?:listed|declared|allowed|permitted)\\s)?(?:of|for|in|by|under)\\s(?:that|this|the|its|the declared|the session's)\\sintent|(?:(?:that|which)\\s)?(?:that|this|the|its)\\sintent\\s(?:lists|allows|permits|declares|names|covers))",
      () => {
        parsed.intentTools = true;
        return true;
      },
    );
    // "may only use the triage tools": the tools of the intent whose name (or its task, the
    // last word of a name like `inbox-triage`) the words say. Not its first word ("the inbox
    // tools" are the mail tools), and the clause must still name that intent.
    const byWord = new Map<string, string[]>();
    for (const name of vocabulary.intents.keys()) {
      const parts = name.toLowerCase().split(/[-_]/);
      const task = parts.length > 1 ? parts.at(-1) : undefined;
      for (const w of new Set([
        name.toLowerCase(),
        parts.join(' '),
        ...(task && task.length >= 4 ? [task] : []),
      ]))
        byWord.set(w, [...(byWord.get(w) ?? []), name]);
    }
    take(`(?:the\\s)?(${alt(byWord.keys())})\\s(?:intent's\\s|intent\\s)?tools`, (m) => {
      parsed.intentTools = true;
      parsed.intentToolsOf = byWord.get(m[1] as string);
      return true;
    });
  }
}
