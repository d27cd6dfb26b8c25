/**
 * Questions answered: the FAQ register ("Who approves order deletes? Oscar.", "Are financial
 * actions allowed? No.", "How many emails can the assistant send per hour? 20 at most."). Each
 * question and its answer become the statement they make together, in the plain form the grammar
 * reads. Only an answer whose words are all accounted for is rewritten: a "no" followed by
 * anything that is not a restatement of the "no" is left alone for the grammar to refuse.
 * Runs on the lower-cased, space-padded sentence before the register rewrites.
 */

/** A question's subject that is an agent, or agents. */
const AGENT = '(?:the [a-z -]{0,30}?(?:agent|assistant|bot)|[a-z]+-agent|agents|any agent)';
/** A domain name as written. */
const DOMAIN = '[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}';
/** A count as an answer says it. */
const COUNT = '(\\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|fifty|hundred)';
/** Words after a count that only say it is a ceiling: "five, no more", "20 at most". */
const CEILING = '(?:\\s?,?\\s?(?:no more|at most|max(?:imum)?|tops|and no more))?';
/** A period a count is per. */
const PERIOD = '(?:an?|per|each|every|in a|in one) (hour|day|minute|week)';
/** Words that open an approval a person gives: "a human approves each one". */
const SOMEONE_APPROVES =
  '(?:a human|a person|somebody|someone|an approver|a reviewer) (?:approves|has to approve|must approve|signs off(?: on)?)(?: (?:each one|every one|each|it|them|that))?(?: first)?';

/** An answer of no, with what only repeats it ("No, never.", "Not at all - block them."). */
const NO =
  '(?:no|nope|not at all)\\b[.!]*(?:\\s?[,-]\\s?(?:never|not at all|none of them|block (?:it|them|that|those))\\b[.!]*)?';

/** A verb asked about in its -ing form, and the form a statement takes. */
const GERUNDS: Readonly<Record<string, string>> = {
  touching: 'touch',
  deleting: 'delete',
  querying: 'query',
  sending: 'send',
  reading: 'read',
  wiping: 'wipe',
  pulling: 'pull',
  running: 'run',
  making: 'make',
  emailing: 'email',
  using: 'use',
  updating: 'update',
};

type Rewrite = readonly [RegExp, string | ((match: string, ...groups: string[]) => string)];

/**
 * A question with its answer, each as one rewrite anchored to the whole unit: what the answer
 * says is the rule, and its subject is what the question asked about.
 */
const ANSWERS: readonly Rewrite[] = [
  // "Can agents send mail by themselves? No, a person approves each one": they need approval.
  [
    new RegExp(
      `^ (?:(?:can|may|should) (${AGENT})|is (${AGENT}) allowed to) (.{3,80}?) (?:without asking|without (?:an? )?(?:approval|sign-?off)|by (?:themselves|itself)|on (?:its|their) own)\\? no\\b[.!]*\\s?[,-]?\\s?${SOMEONE_APPROVES}\\s*$`,
    ),
    // The plural "external communications" is mail leaving the company only in a statement (the
    // seed's); asked whether agents may send them, the writer means every send, so it is refused.
    (m: string, a: string | undefined, b: string | undefined, verb: string) =>
      /\bexternal communications\b/.test(verb) ? m : ` ${a ?? b} need approval to ${verb} `,
  ],
  // "Can we email partner.org without asking? No, every mail to partner.org needs an approval":
  // the answer says the rule whole.
  [
    new RegExp(
      `^ (?:can|may) (?:we|i|${AGENT}) .{3,80}? without (?:asking|approval)\\? no\\b[.!]*\\s?[,-]\\s?((?:every|each|all|any) [^?;]{3,80}? (?:needs?|requires?) (?:an? )?approval(?: from [a-z ]{2,40})?)\\s*$`,
    ),
    ' $1 ',
  ],
  // "May the ops agent query the orders database? No, queries are off": the answer repeats the
  // "no" about the calls the question named (the same word), which adds nothing.
  [
    new RegExp(
      `^ ((?:can|may|should) ${AGENT} ([^?]{3,80})\\?) no\\b[.!]*\\s?[,-]\\s?(?:(?:they|those|these|it|that|([a-z]+)) (?:are|is) (?:off|blocked|denied|forbidden|not allowed)|keep (?:it|them|him|her) (?:off|away from|out of) ([a-z]+))(?: completely| entirely| at all)?\\s*$`,
    ),
    (m: string, question: string, asked: string, noun: string | undefined, place: string | undefined) => {
      const word = noun ?? place;
      return word === undefined || asked.includes(word.slice(0, 4)) ? ` ${question} no ` : m;
    },
  ],
  // "What may agents do on the sandbox system? Nothing."
  [
    new RegExp(`^ what (?:may|can) (${AGENT}) do (?:on|in|with) ([^?]{3,40}?)\\? nothing\\b[.!]*\\s*$`),
    ' $1 may not touch $2 ',
  ],
  // "Can the ops agent delete sandbox rows? Only with Oscar's OK."
  [
    new RegExp(
      `^ (?:can|may|should) (${AGENT}) (.{3,80}?)(?: without asking)?\\? (?:no\\b[.!]*\\s?[,-]?\\s?)?only (with (?:[a-z]+'s|a human's|an? ) ?(?:ok|okay|approval|sign-?off))\\s*$`,
    ),
    ' $1 may $2 only $3 ',
  ],
  // "Can a session marked untrusted move money? No."
  [
    new RegExp(
      `^ (?:can|may) (?:a |the )?sessions? (?:marked|labell?ed|tagged|flagged) (?:as )?([a-z]+) (.{3,60}?)\\? ${NO}\\s*$`,
    ),
    ' sessions labelled $1 may not $2 ',
  ],
  // "Can the sandbox be cleaned on a Friday? No."
  [
    new RegExp(`^ (?:can|may|should) (?!${AGENT})(.{3,40}?) be ([a-z]+ed)( [^?]{2,40})?\\? ${NO}\\s*$`),
    ' $1 may not be $2$3 ',
  ],
  // "Can the finance agent send payments? Not at all - block them.": the plain "no".
  [new RegExp(`^ ((?:can|may|should) ${AGENT} [^?]{3,80}\\?) ${NO}\\s*$`), ' $1 no '],
  // "Are financial actions allowed? No, none of them." / "Are deletes okay during triage? No, they are blocked."
  [
    new RegExp(
      `^ (?:is|are) (?!it\\b|there\\b)(.{3,80}?) (?:allowed|permitted|ok|okay|fine)( (?:during|in|on|over|at|outside|for|by|while) [^?]{2,50})?\\? ${NO}(?:\\s?,?\\s?(?:they|those|these|it) (?:are|is) (?:blocked|denied|forbidden|not allowed))?\\s*$`,
    ),
    ' $1 are blocked$2 ',
  ],
  // "Is reading confidential data allowed? Only with Fiona's approval."
  [
    /^ (?:is|are) (?!it\b|there\b)(.{3,80}?) (?:allowed|permitted|ok|okay|fine)\? only with ((?:[a-z]+'s|a human's|an?) ?(?:ok|okay|approval|sign-?off))\s*$/,
    ' $1 need $2 ',
  ],
  // "Are transfers allowed? Only those under 100; the rest are denied."
  [
    /^ (?:is|are) (?!it\b|there\b)([a-z ]{3,40}?) (?:allowed|permitted|ok|okay|fine)\? only (?:those|the ones|ones) ((?:under|below|over|above|up to|of|to|from|at most|at least|less than|more than) [^;,?]{1,40}?)\s?[;,]\s?(?:the rest|all others|any others|everything else) (?:are|is) (denied|blocked|forbidden)\s*$/,
    ' only $1 $2 are allowed ; the rest are $3 ',
  ],
  // "Is emailing outside the company forbidden? Yes, unless …".
  [
    /^ (?:is|are) (?!it\b|there\b)(.{3,80}?) (forbidden|blocked|denied|prohibited|not allowed)\? (?:yes|yep)\b[.!]*\s?((?:,\s?)?(?:unless|except)\b.+)?$/,
    ' $1 are $2 $3 ',
  ],
  // "Do production deletes need approval? Yes." / "Does the bot need a sign-off to pull the report? Yes, somebody has to approve it first."
  [
    new RegExp(
      `^ (?:do|does) (.{3,80}?) (?:need|require) (?:an? |any )?(?:approval|sign-?off|ok)( [^?]{2,60})?\\? (?:yes|yep)\\b[.!]*(?:\\s?[,-]\\s?(?:always|every time|each time|${SOMEONE_APPROVES}|(?:it|they) needs? approval(?: first)?)\\b[.!]*)?\\s*$`,
    ),
    ' $1 need approval$2 ',
  ],
  // "Do read tools need approval? No.": a permission, which adds no rule of its own.
  [
    /^ (?:do|does) (.{3,60}?) (?:need|require) (?:an? |any )?(?:approval|sign-?off)\? no\b[.!]*\s*$/,
    ' $1 need no approval ',
  ],
  // "Are order deletes allowed over the holidays? Not from 24 to 26 December 2026, both days
  // included.": the answer's days are the period asked about.
  [
    /^ (?:is|are) (?!it\b|there\b)(.{3,60}?) (?:allowed|permitted|ok|okay|fine)(?: (?:over|during|at|for|in) (?:the )?[a-z ]{3,20}?)?\? not (?:from |between )?(\d{1,2}) (?:to|and|until|till|through) (\d{1,2}) (january|february|march|april|may|june|july|august|september|october|november|december) (\d{4}),? (?:both days included|both included|inclusive)\b[.!]*\s*$/,
    ' $1 are blocked from $4 $2, $5 through $4 $3, $5 ',
  ],
  // "Do queries on the orders system go through without approval? No, each one needs it."
  // "Do emails to acme-bank.com go out automatically? No - only after Fiona approves."
  [
    /^ (?:do|does) (.{3,80}?) (?:go (?:out|through)|get (?:sent|made|run)|run|happen)(?: automatically| without (?:an? )?(?:approval|sign-?off|asking))\? no\b[.!]*\s?[,-]?\s?(?:(?:each|every) one needs (?:it|approval|one)|only (?:after|once|when) ([a-z]+) (?:approves|signs off|says ok)(?: it| them)?|only with ([a-z]+)'s (?:approval|ok|sign-?off))?\s*$/,
    (_, calls: string, after: string | undefined, withName: string | undefined) =>
      ` ${calls} need approval${(after ?? withName) ? ` from ${after ?? withName}` : ''} `,
  ],
  // "Who approves order deletes? Oscar, every time." / "…? Either Carol or Dave, one of them is enough."
  [
    /^ who (?:approves|must approve|has to approve|should approve|signs off on|signs off) (.{3,60}?)\? (?:either )?((?!(?:nobody|no one|none|anyone|anybody|everyone|everybody)\b)[a-z]+(?: or [a-z]+)?)(?:\s?,\s?(?:every time|always|each time|one of them is enough|either (?:one|of them) is enough|any one of them))?\s*$/,
    ' $1 need approval from $2 ',
  ],
  // "Who may query the orders database? Only the ops agent."
  [new RegExp(`^ who (?:may|can|is allowed to) (.{3,60}?)\\? only (${AGENT})\\s*$`), ' only $2 may $1 '],
  // "Touching the sandbox db? Only ops-agent.": the calls asked about, for that agent alone.
  [
    new RegExp(`^ ([a-z]+ing) ([^?]{3,40}?)\\? only (${AGENT})\\s*$`),
    (m: string, gerund: string, rest: string, agent: string) => {
      const verb = GERUNDS[gerund];
      return verb === undefined ? m : ` only ${agent} may ${verb} ${rest} `;
    },
  ],
  // "Which domains can the assistant write to without asking? Only example.com and partner.org;
  // anything else is blocked."
  [
    new RegExp(
      `^ which (?:domains|addresses|recipients) (?:can|may) (${AGENT}) (?:write|send|email|mail)(?: emails?| mail)?(?: to)?(?: without (?:asking|approval|an? sign-?off))?\\? only (${DOMAIN}(?:(?:,| and| or) ${DOMAIN})*)\\s?;\\s?((?:anything|everything) else (?:is|are) (?:blocked|denied|forbidden)|(?:anything|everything) else (?:needs?|requires?) (?:an? )?approval)\\s*$`,
    ),
    ' $1 may send email only to $2 ; $3 ',
  ],
  // "How many transfers a day are allowed? Five, no more."
  [
    new RegExp(
      `^ how many ([a-z ]{2,40}?) ${PERIOD} (?:are|is) (?:allowed|permitted|ok)\\? ${COUNT}${CEILING}\\s*$`,
    ),
    ' at most $3 $1 per $2 are allowed ',
  ],
  // "How many emails can the mail assistant send per hour? 20 at most."
  [
    new RegExp(
      `^ how many ([a-z ]{2,40}?) (?:can|may) (${AGENT}) ([a-z]+) ${PERIOD}\\? ${COUNT}${CEILING}\\s*$`,
    ),
    ' $2 may $3 at most $5 $1 per $4 ',
  ],
  // "How many times a day may the finance report be pulled? Twice at most."
  [
    new RegExp(
      `^ how many times ${PERIOD} (?:can|may) (.{3,40}?) be ([a-z]+ed)\\? (${COUNT.slice(1, -1)}|once|twice)${CEILING}\\s*$`,
    ),
    ' $2 may be $3 at most $4 per $1 ',
  ],
  // "Is there a limit on address book lookups? Yes, 50 per hour."
  [
    new RegExp(
      `^ is there a (?:limit|cap|maximum|ceiling) (?:on|for) ([a-z ]{3,40}?)\\? (?:yes|yep)\\b[.!]*\\s?,?\\s?${COUNT} (?:per|an?|each) (hour|day|minute|week)\\s*$`,
    ),
    ' at most $2 $1 per $3 ',
  ],
  // "What's the biggest payment the finance bot can make without a sign-off? Up to 750 - anything bigger needs approval."
  [
    new RegExp(
      `^ what(?:'s| is) the (?:biggest|largest|highest|maximum) (payment|transfer|wire)s? (${AGENT}) (?:can|may) (?:make|send|do) without (?:an? )?(?:sign-?off|approval|asking)\\? (?:up to|at most) ([$€£]?\\d[\\d,.]*k?)\\s?[-,;]\\s?(anything|everything) (bigger|larger|more|above that) ((?:needs?|requires?) (?:an? )?approval|(?:is|are) (?:blocked|denied|forbidden))\\s*$`,
    ),
    ' $2 may make $1s up to $3 ; $4 $5 $6 ',
  ],
  // "Is it OK to run queries against prod? Yes.": a permission, which adds no rule of its own.
  [/^ is it (?:ok|okay|fine|allowed) to ([a-z]+ [^?]{3,60}?)\? (?:yes|yep)\b[.!]*\s*$/, ' $1 is ok '],
  // "What about payments of 5000 or more? Blocked."
  [/^ (?:what|how) about ([^?]{3,60}?)\? (blocked|denied|forbidden|not allowed)\b[.!]*\s*$/, ' $1 are $2 '],
];

/** A question that follows another's answer: "Yes. And deletes on weekends? Blocked entirely." */
const FOLLOW_UP: readonly Rewrite[] = [
  // "Yes. More than 300? Only with approval.": an amount of the calls the question before asked about.
  [
    /^ (?:and )?((?:more than|over|above|less than|under|below) [$€£]?\d[\d,.]*k?)\? only with (?:an? )?(approval|sign-?off|[a-z]+'s (?:approval|ok|sign-?off))\b[.!]*\s*$/,
    ' anything $1 needs $2 ',
  ],
  [
    /^ (?:and |what about |how about )?([^?]{3,60}?)\? (?:(?:those|they|these) (?:are|is) )?(blocked|denied|forbidden|not allowed)(?: entirely| completely| too| as well)?\b[.!]*(\s?,\s?and [^?]{3,80})?\s*$/,
    ' $1 are $2$3 ',
  ],
];

function rewriteUnit(unit: string, rewrites: readonly Rewrite[]): string | undefined {
  for (const [re, to] of rewrites) {
    if (!re.test(unit)) continue;
    const read = typeof to === 'string' ? unit.replace(re, to) : unit.replace(re, to);
    if (read !== unit) return read;
  }
  return undefined;
}

/**
 * Rewrites each question with its answer. A sentence of several ("Do production deletes need
 * approval? Yes. And deletes on weekends? Blocked.") is rewritten only when every one of them is,
 * its statements joined as clauses; otherwise it is returned as it came.
 */
export function normalizeAnswers(s: string): string {
  if (!s.includes('?')) return s;
  const units = s
    .split(/(?<=\?[^?]*?[.!;])\s+(?=(?:and |what about |how about )?[^?]{3,80}\?)/)
    .map((u) => ` ${u.trim().replace(/[.!;]+$/, '')} `);
  if (units.length === 1) return rewriteUnit(units[0] ?? s, ANSWERS) ?? s;
  // The first question may be one the register rewrites read ("Can the agent …? Yes."): it is
  // left as said, at the head of the sentence where they look for it.
  const read = units.map((u, i) => rewriteUnit(u, ANSWERS) ?? (i > 0 ? rewriteUnit(u, FOLLOW_UP) : u));
  return read.every((r) => r !== undefined) ? ` ${read.map((r) => r.trim()).join(' ; ')} ` : s;
}
