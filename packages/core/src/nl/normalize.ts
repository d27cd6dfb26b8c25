/**
 * The normalisation stage, before the grammar: one spelling for what people write many ways.
 * Symbols become words (`≥ 5000` → `at least 5000`), number words and currency prefixes become
 * figures (`three thousand dollars` → `3000 dollars`, `USD 1,000` → `1,000 usd`), shorthand
 * becomes the word the grammar knows (`prod` → `production`, `bot` → `agent`), and clause
 * boundaries become `;`. Each rewrite keeps the meaning: what it cannot say for sure, it leaves
 * for the grammar to refuse.
 */

import { ASIDE_WORDS } from './normalize-asides.js';
import { FAMILY_WORDS } from './normalize-families.js';
import { normalizeGlosses } from './normalize-glosses.js';
import { PHRASING_WORDS } from './normalize-phrasings.js';
import { normalizeRegisters } from './normalize-registers.js';
import { SOURCE_WORDS } from './normalize-sources.js';

/** Number words below a hundred that stand alone or before a scale word. */
const UNITS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

export { UNITS as NUMBER_UNITS };

const SCALES: Readonly<Record<string, number>> = { hundred: 100, thousand: 1000, million: 1e6 };
const NUMBER_WORD = `(?:${[...Object.keys(UNITS), ...Object.keys(SCALES)].join('|')})`;
/** A run of number words: "seven thousand five hundred", "twenty-five", "one hundred and ten". */
const NUMBER_RUN = new RegExp(
  `\\b${NUMBER_WORD}(?:(?:[ -]|\\sand\\s)${NUMBER_WORD})*\\b(?=(\\s(?:dollars?|usd|euros?|eur|pounds?|gbp|k\\b))?)`,
  'g',
);

/** The value of a run of number words, or undefined when it is not one number. */
function numberOfWords(run: string): number | undefined {
  let total = 0;
  let current = 0;
  let last = Number.POSITIVE_INFINITY;
  for (const word of run.split(/[\s-]+/).filter((w) => w !== 'and')) {
    const unit = UNITS[word];
    if (unit !== undefined) {
      // "twenty five" adds; "five twenty" is not a number.
      if (unit >= last || (last < 10 && unit < 10)) return undefined;
      current += unit;
      last = unit;
      continue;
    }
    const scale = SCALES[word] as number;
    if (current === 0) current = 1;
    if (scale === 100) current *= 100;
    else {
      total += current * scale;
      current = 0;
    }
    last = Number.POSITIVE_INFINITY;
  }
  return total + current;
}

/** Whole-word rewrites: shorthand and synonyms → the word the grammar knows. */
const WORDS: readonly [RegExp, string][] = [
  [/\bprod\b/g, 'production'],
  [/\bbots\b/g, 'agents'],
  [/\bbot\b/g, 'agent'],
  [/\be-mails\b/g, 'emails'],
  [/\be-mail\b/g, 'email'],
  [/\bmails\b/g, 'emails'],
  [/\bmail\b/g, 'email'],
  [/\bwe're\b/g, 'we are'],
  [/\bit's\b/g, 'it is'],
  [/\bisn't\b/g, 'is not'],
  [/\baren't\b/g, 'are not'],
  [/\bwon't\b/g, 'will not'],
  [/\bokay\b/g, 'ok'],
  [/\bo\.k\.?(?=\s|$)/g, 'ok'],
  [/\bsigns off on\b/g, 'approves'],
  [/\bsign off on\b/g, 'approve'],
  [/\bsigns off\b/g, 'approves'],
  [/\bsign off\b/g, 'approve'],
  [/\bgreen[- ]light\b/g, 'approval'],
  [/\bgo-ahead\b/g, 'approval'],
  [/\b(?:a |an )?(?:human|person's|manual) ok\b/g, 'human approval'],
  [/\bok from\b/g, 'approval from'],
  [/\b(?:the )?ok of\b/g, 'the approval of'],
  [/\bdouble[- ]sign[- ]?off\b/g, 'dual approval'],
  // "on weekends (UTC)", "on 2026-12-31 UTC": a rule's clock is UTC, so naming it adds nothing;
  // after a clock time the grammar reads it with the hour. Any other zone stays, and is refused.
  [/\s?\(utc\)/g, ' utc'],
  [/(?<=\b(?!am\b|pm\b)[a-z]+|\b\d{4}(?:-\d{2}-\d{2})?),? utc\b/g, ''],
  [/\bmonday (?:to|through|thru|-) friday\b/g, 'on weekdays'],
  // "in the maintenance window, 22:00 to 06:00 UTC": the window is the hours that follow.
  [
    /\b(?:in|during|within) (?:the |a |our )?(?:maintenance|change|deploy|deployment) window,? (?:of |from )?(?=\d)/g,
    'from ',
  ],
  [
    /\b(?:in|during|within) (?:the |a |our )?(?:maintenance|change|deploy|deployment) window,? between\b/g,
    'between',
  ],
  // "are frozen until January 15": blocked until then.
  [/\b(is|are) frozen (?=until |till |through |from |between )/g, '$1 blocked '],
  // "before 2027": before the year begins.
  [/\bbefore (\d{4})\b(?!-)/g, 'before january 1, $1'],
  [/\b(?:on )?(?:a )?saturdays? (?:or|and) sundays?\b/g, 'on weekends'],
  [/\bclean(?:s|ing)? up\b/g, 'delete'],
  [/\bmidnight\b/g, '12am'],
  [/\bnoon\b/g, '12pm'],
  [/\b(?:after|out of) hours\b/g, 'outside business hours'],
  [/\b(?:no|any) matter (?:the )?amount\b/g, ''],
  [/,? (?:whatever|regardless of) the amount\b/g, ''],
  // "accounts … must never receive money": they may never be paid.
  [/\b(receive|get|be sent) (?:any )?(?:money|funds|payments?|transfers?)\b/g, 'be paid'],
  [/\b(?:(?:no|any) matter how|however) (?:small|large|big|much|little|low|high)\b/g, ''],
  [/\bthey're\b/g, 'they are'],
  [/\b(nothing|nobody|no one) at all\b/g, '$1'],
  [/\bin order to\b/g, 'to'],
  [/\b(go|goes) only to\b/g, 'only $1 to'],
  [/\bout of (?=the [a-z_. -]{1,30}? tools?\b)/g, 'from '],
  [
    /\b(is|are) (?:simply|just|flatly|outright) (blocked|denied|forbidden|prohibited|refused|rejected)\b/g,
    '$1 $2',
  ],
  [/\border (delete|deletes|deletion|deletions|queries|query|records?|data)\b/g, 'orders $1'],
  [/\boutside (mail|email|emails|messages)\b/g, 'external $1'],
  // "above $2,000 but below $20,000": both bounds hold.
  [
    /([$€£]?\d[\d,.]*k?) but (?=(?:below|under|less than|above|over|more than|at most|at least|no more than)\b)/g,
    '$1 ',
  ],
  // "(orders deletes and sandbox deletes alike)": the noun before, spelled out.
  [/\s?\([^()]{1,80}\balike\)/g, ''],
  // "Nothing above $999.99 may be transferred": nothing may be, above it.
  [
    /^ nothing ((?:above|over|below|under|more than|less than|exceeding) [$€£]?\d[\d,.]*k?) may be ([a-z]+)\b/,
    ' nothing may be $2 $1',
  ],
  // "the finance or ops agents": each agent by its name.
  [/\bthe ([a-z]+) (and|or) ([a-z]+) agents\b/g, 'the $1 agent $2 the $3 agent'],
  // "Carol (carol@example.com)": the person, named twice.
  [/\b([a-z]+) \((\1@[a-z0-9.-]+)\)/g, '$1'],
  // "Two finance approvers on all outgoing payments": those payments need them.
  [/^ (one|two|three|\d) ([a-z]+ )?(approvers?|approvals?|sign-?offs?) (?:on|for) (.+)$/, ' $4 need $1 $2$3'],
  [/\b(\d)-of-([a-z]+) (approval|sign-?off)\b/g, '$1 $2 approvals'],
  [/\b(?:outgoing|outbound) (payments?|transfers?|wires?|transactions?)\b/g, '$1'],
  [/\b(?:once|when|if) (?:they|it) (?:pass|passes|exceed|exceeds|go over|goes over|top|tops)\b/g, 'over'],
  [/\b(the [a-z-]+ (?:agent|assistant))'s (?!owner|manager|boss|team|approval|ok)/g, '$1 '],
  // "Production order deletions: approval by Carol and Dave": they need it.
  [/^ ([^:]{3,60}?): (approval|sign-?off) (?:by|from) /, ' $1 need $2 from '],
  // "…, but only once Carol or Dave has approved it": with their approval.
  [
    /,? but only (?:once|after|when|if) (.{1,50}?) (?:has|have) (?:approved|signed off on|okayed|oked)(?: it| them)?\b/g,
    ' with approval from $1',
  ],
  // "may transfer up to $2,500 without anyone signing off": nobody is asked, said of a permission;
  // after a prohibition ("may not … without anyone signing off") it is "without approval".
  [
    /(?<!\b(?:not|never|cannot|can't|no|nothing|nobody)\b[^;,.]*)\bwithout (?:anyone|anybody|someone|a human|a person)(?:'s)? (?:signing off|approving|approval|sign-?off|ok)\b/g,
    '',
  ],
  [
    /\bwithout (?:anyone|anybody|someone|a human|a person)(?:'s)? (?:signing off|approving|approval|sign-?off|ok)\b/g,
    'without approval',
  ],
  // "can do everything it is granted except send …": it may not send ….
  [
    /\b(?:can|may) do (?:everything|anything) (?:it is|it's|they are) (?:granted|allowed)(?: to do)?,? except (?:to )?/g,
    'may not ',
  ],
  [/\bmust (?:come|be taken) from\b/g, 'may only come from'],
  // "addresses pulled from the address book or typed by the user": the user first.
  [
    /\b(addresses|recipients|payees|accounts) (?:pulled|taken|coming|that came|returned) from (the contacts book|the address book|the contacts|contacts|a trusted lookup) or (?:were |was |are )?(?:typed|entered|given)(?: in)? by the user\b/g,
    '$1 the user typed or from $2',
  ],
  [/\b(from|by) a trusted lookup\b/g, '$1 a trusted tool'],
  // "Only addresses from the address book may receive email": email goes only to them.
  [/^ only (.{3,80}?) may (?:receive|get|be sent) (email|emails|mail|messages)\b/, ' $2 may only go to $1'],
  // "come from the contacts book or be typed by the user": the user first, as the grammar reads it.
  [
    /\bcome from (the contacts book|the address book|the contacts|contacts) or (?:be )?(?:typed|entered|given)(?: in)? by (the user)\b/g,
    'come from $2 or $1',
  ],
  [/\b(?:only )?appeared (?:only )?(?:on|in)\b/g, 'came only from'],
  [
    /\b(?:colleagues|coworkers|co-workers|people) at (?=[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b)/g,
    'addresses at ',
  ],
  // "A single approval from finance is enough for transfers under $5,000": they need it.
  [/^ (.{3,60}?) (?:is|are) enough for (.{3,80}?)(?=\s?;|\s?\.|\s*$)/, ' $2 need $1'],
  [/\ban (?:email|e-mail) recipient\b/g, 'a recipient'],
  [/\b(?:email|e-mail) recipients\b/g, 'recipients'],
  // "Stop the finance agent from transferring …": it may not.
  [
    /^ (?:stop|prevent|keep) (the [a-z -]{1,30}?(?:agent|assistant)|agents|every agent|everyone) from (?=[a-z]+ing\b)/,
    ' $1 may not ',
  ],
  // "send more than $3,000": money is transferred, not mailed.
  [
    /\b(?:send|sends|sending) (?=(?:more than |over |above |up to |at most |no more than |less than |under )?(?:[$€£]\s?\d|\d[\d,.]*\s?(?:k|m)?\s(?:dollars|usd|euros?|eur|pounds|gbp)\b))/g,
    'transfer ',
  ],
  // "Hard cap: $50k per transfer", "No more than $750 per payment": nothing over the figure.
  [
    /^ (?:(?:a |the )?(?:hard |absolute )?(?:cap|limit|maximum|max)(?:\s?:|\sof)?|no more than) ([$€£]\s?\d[\d,]*(?:\.\d+)?\s?(?:k|m)?) (?:per|a|each|for any|in any|in a single|in one) (transfer|payment|transaction|wire)\b/,
    ' block $2s over $1',
  ],
  [/\blook(s|ing|ed)? (?:people|someone|somebody|addresses|contacts) up\b/g, 'look$1 up'],
  // "finance reports need two": two approvals.
  [/\b(needs?|requires?) (two|three|four|2|3|4)(?= ;| \.| ,|\s*$)/g, '$1 $2 approvals'],
  [/\bacts on\b/g, 'touches'],
  [/\bact on\b/g, 'touch'],
  [/\b(?:non-company|non-corporate|outside) domains\b/g, 'addresses outside the company'],
  [/\bcompany (mail|email|emails|messages)\b/g, '$1 to colleagues'],
  // "Payments must go to accounts the user gave": they may only go there.
  [/\bmust (go|be sent|be paid|be made) to\b/g, 'may only $1 to'],
  [/\b([a-z]+)-label(?:l)?ed tools\b/g, 'tools labelled $1'],
  // "need both Carol and Dave": their approval; "a single approval" is one.
  [
    /\b(need|needs|require|requires) (both [a-z]+ and [a-z]+)\b(?! (?:to|must|may|can)\b)/g,
    '$1 approval from $2',
  ],
  [/\b(?:a single|one single) (approval|sign-?off|approver)\b/g, 'one $1'],
  // "No emails after 22:00": emails as a thing that happens are the ones sent, not read.
  [
    /(^ |, )no (emails?|messages)\b(?! (?:may|can|should|must|will|shall|are|is|get|be|deletes?|deletions?|reads?|lookups?|listing|from|in|that|which|go|goes)\b)/g,
    '$1no sending $2',
  ],
  // Imperatives that ask for approval: "get Carol's approval for …", "have a human approve …".
  [/(^ |, )(?:get|obtain|secure) (?=(?:[a-z@.'-]+ ){0,4}?(?:approvals?|sign-?offs?|ok)\b)/g, '$1require '],
  [
    /(^ |, )have (a human|someone|a person|one person|two people|a finance approver|an approver) (approve|ok|confirm)\b/g,
    '$1require $2 to $3',
  ],
  // "Make every payment wait for …": each one needs it.
  [/(^ |, )make (every|each|all|any) ([a-z_. -]{1,40}?) wait for\b/g, '$1$2 $3 needs'],
  [
    /\bone of the (?:two |three |\d+ )?([a-z][a-z-]*) (?:people|approvers|members|team members)\b/g,
    'a $1 member',
  ],
  [/\bteam members\b/g, 'members'],
  // "can only be run after both finance members approve": the run needs their approval.
  [
    /\b(?:can|may) (?:only )?be [a-z]+(?: only)? (?:after|once) (.{1,50}?) (?:approves|approve|has approved|have approved|approved)(?: it| them)?\b/g,
    'needs $1 to approve',
  ],
  [/\b(?:must|should|will|has to|have to) be (held|parked|queued) for\b/g, 'is $1 for'],
  [/\b(is|are) (?:switched off|turned off|disabled|shut off)\b/g, '$1 blocked'],
  [/\bfor now\b/g, ''],
  [/\b(is|are) free\b(?! of| to| for)/g, '$1 fine'],
  [/\banything goes\b/g, 'everything is fine'],
  // "read and list the inbox", "listing the inbox": the mail tools that read it.
  [
    /\b(read|list|check|open|browse|reading|listing|checking|opening|browsing)( and (?:read|list))? (?:the |their |its |the user's )?inbox\b/g,
    '$1$2 email',
  ],
  [/\b(?:running|run|runs|executing|execute|executes) sql\b/g, 'querying'],
  // "write to addresses outside example.com": writing to a person is sending them email.
  [
    /\b(write|writes|writing) to (?=(?:addresses|someone|anyone|recipients|people|an address|colleagues|external)\b|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b)/g,
    'send email to ',
  ],
  [/(^ |, )no single\b/g, '$1no'],
  // "; otherwise the transfer needs approval" finishes the clause before it.
  [/\s?;\s?otherwise\b/g, ' , otherwise'],
  [/\b(?:a )?(?:second|another|extra) (?:pair|set) of eyes\b/g, 'human approval'],
  [/\bwhose recipients? (?:list )?(?:includes?|contains?|has)\b/g, 'to'],
  [/\baddressed to\b/g, 'to'],
  [/\bwith the exception of\b/g, 'except'],
  // "…, except payments below $50": the noun said again is "those".
  [
    /, except (?:for )?(?:the )?(?:payments?|transfers?|wires?|transactions?|emails?|messages?|deletes?|deletions?) (?=(?:below|under|over|above|up to|at most|at least|less than|more than|exceeding|of)\b)/g,
    ', except those ',
  ],
  [/\boff[- ]limits\b/g, 'off-limits'],
  [/\bmon(?:day)?\s?-\s?fri(?:day)?\b/g, 'on weekdays'],
  // "auto-approved", "go straight through": nothing is asked, which is a permission.
  [/\b(?:auto-?|automatically )(?:approved|allowed)\b/g, 'fine'],
  [/\b(?:go|goes) straight through\b/g, 'can go through'],
  [/\b(?:go|goes) through automatically\b/g, 'can go through'],
  [/\b(pay|pays|paid|paying) out\b/g, '$1'],
  // "Keep every agent out of production": they may not touch it.
  [/\bkeep (every agent|all agents|agents|everyone|everybody|the [a-z -]+?) out of\b/g, '$1 may not touch'],
];

/**
 * Lower-cases and respells a sentence; the result is padded with spaces for the grammar.
 * `people` (the vocabulary's) lets a gloss drop a bracketed address that restates a person named.
 */
export function normalizeSentence(sentence: string, people?: ReadonlyMap<string, string>): string {
  let s = ` ${sentence.toLowerCase()} `
    .replace(/[’‘`]/g, "'")
    .replace(/[“”]/g, '"')
    // "Nobody deletes anything. Period.": emphasis, not a clause.
    .replace(/[.!;,]\s*(?:period|full stop)[.!]*\s*$/, ' ')
    .replace(/[.!]+\s*$/, ' ')
    .replace(/\s+[.!]+\s*$/, ' ');
  // Being on call is a fact about a person that no request carries; left as two words, "call"
  // would be read as the verb of a tool call and the condition silently dropped.
  s = s.replace(/\bon[- ]call\b/g, 'on-call');
  s = normalizeRegisters(s);
  // Symbols. A range of clock times first, so its hyphen is not taken for a dash.
  s = s
    .replace(
      /(?<![\d:-])(\d{1,2}(?::\d{2}\s?(?:am|pm)?|\s?(?:am|pm)))\s?[-–]\s?(\d{1,2}(?::\d{2}\s?(?:am|pm)?|\s?(?:am|pm)))(?![\d-])/g,
      ' between $1 and $2 ',
    )
    // A dash between two dates is a span through the second ("2026-12-20 – 2027-01-04").
    .replace(
      /(\bfrom |\bbetween )?(\d{4}-\d{2}-\d{2})\s?[–—-]\s?(\d{4}-\d{2}-\d{2})\b/g,
      (_, lead: string | undefined, from: string, to: string) => ` ${lead ?? 'from '}${from} through ${to} `,
    )
    // Likewise between two dates with their years ("Dec 20, 2026 – Jan 4, 2027").
    .replace(
      /\b((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})\s?[–—-]\s?((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})\b/g,
      ' from $1 through $2 ',
    )
    // And between two days of a month without a year ("Dec 20 – Jan 4"): every year's span.
    .replace(
      /(\bfrom |\bbetween )?\b((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?)\s?[–—-]\s?((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?)\b(?!,? \d)/g,
      ' from $2 through $3 ',
    )
    // "(maintenance window)" after the hours it names is their name, not a condition.
    .replace(/\s?\((?:a |the |our )?(?:maintenance|change|deploy|deployment|backup) window\)/g, ' ')
    // "on Christmas Day (December 25, 2026)": the brackets give the day the name means.
    .replace(
      /\bon (?:[a-z']+ ){1,3}\(((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?(?:,? \d{4})?)\)/g,
      ' on $1 ',
    )
    .replace(/\s*(?:->|=>|→)\s*/g, ' , ')
    .replace(/\s*(?:≥|>=)\s*/g, ' at least ')
    .replace(/\s*(?:≤|<=)\s*/g, ' at most ')
    .replace(/\s+>\s*/g, ' over ')
    .replace(/\s+<\s*/g, ' under ')
    // "Nothing may delete mail — not the assistant, not anyone": emphasis of the "nothing".
    .replace(
      /\s*[—–]\s*not (?:the [a-z -]+?|anyone|anybody)(?:, not (?:the [a-z -]+?|anyone|anybody|even [a-z -]+?))*\s*$/,
      ' ',
    )
    .replace(/\s+[—–]\s+|\s*—\s*/g, ' ; ');
  // Currency before the figure; number words into figures ("three thousand" → 3000).
  s = s
    .replace(/\b(usd|eur|gbp)\s?(\d[\d,]*(?:\.\d+)?\s?(?:k|m|thousand|million)?)(?=\s)/g, '$2 $1')
    .replace(/(?<!half )\ba (hundred|thousand|million)\b/g, 'one $1')
    // "10 thousand dollars": a figure times its scale word.
    .replace(/(?<![\d,.])(\d+(?:\.\d+)?) (thousand|million)\b/g, (_, n: string, scale: string) =>
      String(Number(n) * (SCALES[scale] ?? 1)),
    )
    // A run of number words becomes a figure when it is an amount: it has a scale word, or a
    // currency follows ("one dollar"). "Two approvals" stays a word for the grammar.
    .replace(NUMBER_RUN, (run: string, currency: string | undefined) => {
      if (!/hundred|thousand|million/.test(run) && !currency) return run;
      const n = numberOfWords(run);
      return n === undefined ? run : String(n);
    })
    .replace(/\bhalf a (million|thousand)\b/g, (_, scale: string) => String((SCALES[scale] ?? 0) / 2));
  s = normalizeGlosses(s, people);
  for (const [re, to] of WORDS) s = s.replace(re, to);
  for (const [re, to] of PHRASING_WORDS) s = s.replace(re, to);
  for (const [re, to] of SOURCE_WORDS) s = s.replace(re, to);
  for (const [re, to] of ASIDE_WORDS) s = s.replace(re, to);
  for (const [re, to] of FAMILY_WORDS) s = s.replace(re, to);
  // "Payees from a web page: blocked.": the effect after the colon is the subject's.
  s = s.replace(/:\s(blocked|denied|forbidden|prohibited|allowed|fine|ok)\b/g, ' are $1');
  // "On weekends, block all transfers and require approval for production deletes": the fronted
  // condition holds for each imperative, so each clause says it.
  s = s.replace(
    /^ ((?:on|during|at|after|before|outside|between|from|over) [^,;.]{2,60}?), ((?:deny|block|forbid|require|allow) [^,;.]+?) and ((?:deny|block|forbid|require|allow) [^,;.]+?) $/,
    ' $2 $1; $3 $1 ',
  );
  // "Trusted tools are fine, but untrusted ones are blocked": "ones" are the tools named before.
  if (/\btools\b/.test(s))
    s = s.replace(/\b([a-z]+) ones\b/g, (m, adjective: string) =>
      /^(?:larger|bigger|higher|greater|smaller|lower|other|the|those|these|which)$/.test(adjective)
        ? m
        : `${adjective} tools`,
    );
  // "Recipients the user typed are fine; ones copied out of an email must be blocked": "ones"
  // after a clause boundary are the values the clause before named, when it named one kind.
  const values = [...new Set(s.match(/\b(?:recipients|addresses|payees|accounts)\b/g) ?? [])];
  if (values.length === 1) s = s.replace(/([;,]\s?(?:but |and )?(?:only )?)ones\b/g, `$1${values[0]}`);
  // "Outside business hours (before 08:00 or after 18:00)": the brackets say which hours.
  s = s
    // The brackets state the outside hours ("before 08:00 or after 18:00"), or the business
    // hours themselves ("09:00–17:00, Monday to Friday"), whose outside the grammar reads.
    .replace(
      /\b(?:outside|out of) (?:of )?(?:business|office|working|work) hours\s?,?\s?\(([^)]*)\)/g,
      (_, inner: string) =>
        /\b(?:before|after)\b/.test(inner)
          ? ` ${inner} `
          : // "(Mon-Fri, 9am-6pm UTC)": the days said first are read after the hours.
            ` outside the window ${inner.replace(/^\s*(on week(?:days|ends))\s*,?\s*(between .+?)\s*$/, '$2 $1')} `,
    )
    // "at night (22:00–06:00 UTC)": the brackets say which hours the night is.
    .replace(/\b(?:at night|overnight|during the night)\s?\((\s?between [^)]*)\)/g, ' $1 ')
    // "during the year-end freeze (December 20, 2026 through January 4, 2027)": the dates given.
    .replace(
      /\b(?:during|in|over|throughout) (?:the |a |our )?(?:[a-z-]+ )?(?:change |code )?freeze\s?,?\s?\(((?:[^)]*\d{4}|\s?from (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))[^)]*)\)/g,
      ' from $1 ',
    )
    .replace(/\b(?:during|within|in) (?:business|office|working|work) hours\s?,?\s?\(([^)]*)\)/g, ' $1 ')
    // "Small payments (up to $250)": the brackets define the adjective.
    .replace(
      /\b(?:small|smaller|low-value|large|big|high-value)\s([a-z]+)\s?\(((?:up to|under|below|over|above|at least|at most|more than|less than)[^)]*)\)/g,
      '$1 $2',
    )
    // "No wire may exceed …": the modal belongs to the "no".
    .replace(
      /(^ |, )no ((?:[a-z0-9_.$-]+ ){1,4}?)(?:may|can|shall|should|must|will) (?:be (?=[$€£\d]|(?:sent|made|done|run|paid|deleted|removed|used|called|queried|transferred|wired|emailed|executed|changed|modified|updated|accessed|pulled)\b))?(?!not\b|never\b|be\b)/g,
      '$1no $2',
    )
    .replace(/\binternal (emails?|messages)\b/g, '$1 to colleagues')
    // "The only email allowed is to example.com": only that is allowed.
    .replace(/(^ |, )the only (.{1,60}?) (?:allowed|permitted) (?:is|are) /, '$1only $2 is allowed ')
    // "Max transfer size is $3,000": nothing over the figure.
    .replace(
      /^ (?:the )?(?:max|maximum) ([a-z_. -]{1,40}?) (?:size|amount|value) (?:is|=) (?=(?:[$€£]\s?)?\d)/,
      ' block $1 over ',
    )
    // "… should be blocked, not queued for approval": the "not" says no one is asked.
    .replace(
      /\b(blocked|denied|rejected|refused|forbidden)\s?,?\s?(?:and )?not (?:queued|held|sent|routed|escalated) for (?:approval|review|sign-?off)\b/g,
      '$1',
    )
    // "Cap payments at $20,000": nothing over the figure.
    .replace(
      /^ (?:please )?(?:cap|limit) (.{1,60}?) at ((?:[$€£]\s?)?\d[\d,]*(?:\.\d+)?\s?(?:k|m|thousand|million)?(?:\s(?:dollars?|usd|euros?|eur|pounds?|gbp))?)(?=\s)/,
      ' block $1 over $2',
    )
    // "may only be pulled with approval": the "only" is the approval's.
    .replace(
      /\bonly ((?:be )?[a-z]+(?: [a-z]+)?) with ((?:a |an |prior |explicit )?(?:human |person's |manager's |manual )?(?:approval|sign-?off|ok|consent|authori[sz]ation))/g,
      '$1 with $2',
    );
  return ` ${s
    .replace(/\.(?=\s)/g, ' . ')
    .replace(/,(?!\d{3})/g, ' , ')
    .replace(/;/g, ' ; ')
    .replace(/:(?!\d)/g, ' , ')
    .replace(/\s+/g, ' ')
    .trim()} `;
}

/**
 * Cuts a normalised sentence into clauses at `;`, a full stop inside it, and `but` or
 * `, and` before a new statement; each clause is padded like a sentence. One clause when
 * there is no boundary.
 */
export function splitClauses(text: string): string[] {
  return text
    .split(
      /\s(?:;|\.(?=\s)|,\s(?:but|and|whereas|while)|(?<=^\s(?:deny|block|forbid|require|allow)\s.*)and(?=\s(?:require|deny|block|forbid|allow)\s)|,(?=\s(?:anything|everything|all|any)\s(?:else|other|larger|bigger|higher|greater|more)\s)|but(?=\s(?:not|never|may|must|can|cannot|should|is|are|needs?|requires?|it|they|any|all|every|no|only|deletes?|writes?|sends?|payments?|transfers?|emails?)\s))\s/,
    )
    .map((c) => ` ${c.trim()} `)
    .filter((c) => c.trim() !== '');
}
