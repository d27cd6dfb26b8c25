/**
 * Learner's English: the forms a colleague writing English as a second language uses for what
 * the grammar already reads ("need approve of Oscar", "must be approve by two person of finance
 * group", "in untrusted sessions", "maximum 10 per day"). Each maps onto the plain form; a form
 * whose meaning is not sure is left alone for the grammar to refuse. Runs on the lower-cased,
 * space-padded sentence, after questions are answered and before the register rewrites.
 */

type Rewrite = readonly [RegExp, string | ((match: string, ...groups: string[]) => string)];

/** A person or people an approval is asked of, as the rewrites below leave it. */
const WHO = '(?:the )?([a-z]+(?: (?:group|team))?)';

export const LEARNER_WORDS: readonly Rewrite[] = [
  // Approvers: "two person of finance group", "somebody of finance group", "one person from them".
  [
    /\b(one|two|three|\d) (?:person|persons|people) (?:of|from|in) (?:the )?([a-z]+) (?:group|team)\b/g,
    '$1 members of the $2 group',
  ],
  [
    /\b(one|two|three|\d) (?:person|persons|people) (?:of|from) (?:the )?([a-z]+) (?=approv)/g,
    '$1 members of the $2 group ',
  ],
  // "Finance group should approve any payment, one person from them is enough".
  [
    /^ (?:the )?([a-z]+) (?:group|team) (?:should|must|has to|have to|needs? to) approve ([^,;?]{3,60}?)(?:, (?:one|a single) (?:person|member|of them)(?: (?:from|of) (?:them|it))? is enough)?\s*$/,
    ' $2 need approval from someone in the $1 group ',
  ],
  [
    /\b(?:somebody|someone|a person|one person) (?:of|from) (?:the )?([a-z]+) (?:group|team)\b/g,
    'someone in the $1 group',
  ],
  [/\b(two|three) person\b/g, '$1 people'],
  // "without two members of the finance group approve": without their approval.
  [
    /\bwithout (one|two|three|\d) members of the ([a-z]+) group approv(?:e|es|ing)\b/g,
    'without approval from $1 members of the $2 group',
  ],
  // "need approve of Oscar", "need the approve of Alice before", "need approve from Alice".
  [
    new RegExp(
      `\\b(needs?|requires?) (?:the |an? )?approve (?:of|by|from) ${WHO}(?: before| first)?(?=\\s?[,;.]|\\s*$| and\\b| but\\b)`,
      'g',
    ),
    '$1 approval from $2',
  ],
  [/\b(needs?|requires?) (?:an? )?approve\b/g, '$1 approval'],
  // "must be approve by one person of finance group": needs their approval.
  [
    new RegExp(
      `\\b(?:must|should|has to|have to|need to|needs to) be approve(?:d)? (?:by|of|from) ${WHO}`,
      'g',
    ),
    'need approval from $1',
  ],
  // "must ask approval before delete", "must ask approval before it send anything".
  [
    /\b(?:must|should|has to|have to|need to|needs to) ask (?:for )?(?:an? )?(?:approval|permission|sign-?off) before (?:it |he |she |they )?(delete|send|pay|query|read|run|transfer|wire)(?:s|ing)?\b/g,
    'need approval to $1',
  ],
  // "is permitted if Oscar approve it": those calls need that person's approval.
  [
    /\b(?:is|are) (?:ok|okay|fine|allowed|permitted) (?:if|when|once) ([a-z]+) approves?(?: it| them)?(?=\s?[,;.]|\s*$)/g,
    'need approval from $1',
  ],
  // "if Oscar approve it", "when Oscar say OK": with that person's approval.
  [
    /\b(?:if|when|once) ([a-z]+) (?:approve|say ok|says ok|give ok|gives ok|sign off)(?: it| them)?(?=\s?[,;.]|\s*$)/g,
    "with $1's approval",
  ],
  [/,? only exception is (?=with [a-z]+'s approval\b)/g, ', except '],
  // Sessions by their label: "in untrusted sessions", "session that has untrusted label", "a session marked untrusted".
  [
    /\b(?:a |the )?sessions? (?:that|which) (?:has|have|carries|carry) (?:the |an? )?(untrusted|confidential) label\b/g,
    'in sessions labelled $1',
  ],
  [
    /\b(?:a |the )?sessions? (?:marked|tagged|flagged) (?:as )?(untrusted|confidential)\b/g,
    'sessions labelled $1',
  ],
  [/\b(?<!labelled )(untrusted|confidential) sessions\b/g, 'sessions labelled $1'],
  [/\bwhen the session is (untrusted|confidential)\b/g, 'in sessions labelled $1'],
  [/\btools with (?:the |an? )?(untrusted|trusted) label\b/g, '$1 tools'],
  // Intents declared in words: "when the session declare inbox-triage intent", "while it triages the inbox".
  [
    /\b(?:when|while|if) (?:the |a )?session (?:declares?|says?|has) (?:the |an? )?([a-z]+-[a-z]+) intent\b/g,
    'under the $1 intent',
  ],
  [
    /\b(?:when|while) (?:it|he|she|they|the agent|agent) (?:is )?triag(?:es|ing) the inbox\b/g,
    'during inbox triage',
  ],
  // Counts: "maximum 10 per day", "not more than 200", "in one day".
  [/\b(?:maximum|max\.?|no more than|not more than) (?=\d)/g, 'at most '],
  [/\b(\d+) time in (?:a|one) (day|hour|week)\b/g, '$1 times per $2'],
  // "At most 1,200 per transfer; larger transfers are denied": a ceiling on each one's amount.
  [
    /^ at most ([$€£]?\d[\d,.]*k?) per (transfer|payment|wire)(?:\s?;\s?(?:larger|bigger|higher) (?:transfers|payments|wires|ones|amounts) (?:are|get) (?:denied|blocked|refused))?\s*$/,
    ' $2s over $1 are denied ',
  ],
  [/\b(\d+) times? in (?:a|one) (day|hour|week)\b/g, '$1 times per $2'],
  // "the order system", "10 order per day", "delete of order": the orders system, as the grammar names it.
  [/\border (system|database|db|data|table|rows?)\b/g, 'orders $1'],
  [/\b(\d+) order\b(?! of\b)/g, '$1 orders'],
  [/\b(delete|deletion|query)s? of (?:an? |the )?orders?\b/g, 'orders $1s'],
  [/^ for (orders [a-z]+) (needs?|requires?) /, ' $1 $2 '],
  // Addresses: "outside company address", "inside company address free", "other address is blocked".
  [/\boutside (?:of )?(?:the )?company (address|addresses|recipients?)\b/g, 'addresses outside the company'],
  [
    /\binside (?:of )?(?:the )?company (?:address|addresses|recipients?)(?: (?:is|are))? (?:free|fine|ok)\b/g,
    'addresses inside the company are fine',
  ],
  [/\boutside of (?:the )?company\b/g, 'outside the company'],
  [
    /\b(?:every |any |all )?other (?:address|addresses|recipient|recipients|domain|domains) (?=(?:is|are|requires?|needs?)\b)/g,
    'anything else ',
  ],
  [/\bor any of its subdomains\b/g, 'and its subdomains'],
  // "competitor domains rival.com or rival.net": the domains named are what counts.
  [
    /\b(to|at|in|from) (?:the )?(?:(?!non\b|non-|other\b|not\b)[a-z-]+ )?domains? (?=[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b)/g,
    '$1 ',
  ],
  [/\b(?:is|are) need\b/g, 'need'],
  [/\b(approval) by (?=[a-z]+(?:\s?[,;.]|\s*$| and\b| or\b| first\b| before\b))/g, '$1 from '],
  // "before 8 o'clock in the morning (UTC)": the clock time; an o'clock without its half of the day is left.
  [/\b(\d{1,2}) o'clock (?:in the morning|am)\b/g, '$1:00'],
  [/\s?\(utc\)/g, ' utc'],
  // "if session say it is inbox triage": under that intent, which the grammar checks is declared.
  [/\b(?:if|when|while) (?:the |a )?session says? (?:it is|it's) (?:doing )?([a-z]+ [a-z]+)\b/g, 'during $1'],
  // "The money category": the financial operations.
  [/\b(?:the )?(?:money|financial) category\b/g, 'financial operations'],
  // "Read tools all fine, but delete things is forbidden".
  [/\b(read|write|delete) (?:things|stuff)\b/g, '$1s'],
  [/\b(read|write|delete)-type\b/g, '$1'],
  [/\b([a-z]+ (?:tools|operations|calls)) all (fine|ok|okay|allowed)\b/g, '$1 are $2'],
  // "on a Friday": on Fridays.
  [/\bon an? (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/g, 'on $1s'],
  // Money is made, not sent: "send payments" is a payment, never a message.
  [/\bsend (payments|money|transfers)\b/g, 'make $1'],
  // Sandbox rows are cleaned as they are wiped.
  [
    /\bclean(?:ed)?\b(?= (?:on|in|during|sandbox|the sandbox)\b)/g,
    (m) => (m === 'cleaned' ? 'wiped' : 'wipe'),
  ],
  [/\b(sandbox|staging|production|orders) cleaning\b/g, '$1 deletes'],
  // "are ok only with approval", "is permitted if Oscar approve it": those calls need that approval.
  [
    /\b(?:is|are) (?:ok|okay|fine|allowed|permitted) only (?:with|after) (?:the )?(?=(?:[a-z]+'s |an? )?(?:approval|sign-?off|ok)\b|(?:one|two|three|\d) approvals\b|approval (?:of|from)\b)/g,
    'need ',
  ],
  [
    /\b(?:need|needs) (?:an? )?approval (?:of|from) (one|two|three|\d) (?:people|persons)\b/g,
    'need $1 approvals',
  ],
  // "Nothing is allowed in staging": everything there is blocked.
  [
    /(^ |, |^ (?:in|on|during) [a-z ]{2,30}? )nothing (?:is|are) (?:allowed|permitted|ok|okay)\b/g,
    '$1everything is blocked',
  ],
  // "In untrusted sessions, block sending email": the imperative first, its condition after.
  // Two imperatives after it each take the condition: "…, block X and require approval for Y".
  [
    /^ ((?:in|during|when|whenever|while|if) [^,;?]{3,60}?), (block|deny|forbid|refuse|require) ((?:(?!\bunless\b|\bexcept\b)[^,;?]){3,80}?)(?: and (block|deny|forbid|refuse|require) ((?:(?!\bunless\b|\bexcept\b)[^,;?]){3,80}?))?\s*$/,
    (_: string, when: string, verb: string, what: string, verb2?: string, what2?: string) =>
      verb2 === undefined
        ? ` ${verb} ${what} ${when} `
        : ` ${verb} ${what} ${when} ; ${verb2} ${what2} ${when} `,
  ],
];

/** Applies the learner's-English rewrites. */
export function normalizeLearners(s: string): string {
  let out = s;
  for (const [re, to] of LEARNER_WORDS)
    out = typeof to === 'string' ? out.replace(re, to) : out.replace(re, to);
  return out;
}
