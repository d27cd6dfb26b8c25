/**
 * Rewrites of the normalisation stage for asides and roundabout wordings (round 10, issue 18):
 * an origin said through the act that read it ("came from reading an email"), a gloss in
 * parentheses that restates what precedes it, examples after "such as" that a broader phrase
 * already covers, "everywhere but", an exception that is an approval, a cap on an amount, a named
 * day of a given year, and approvers counted as members of a group. Run after PHRASING_WORDS and
 * before the families. Each keeps the meaning or leaves the sentence for the grammar to refuse.
 */
export const ASIDE_WORDS: readonly [RegExp, string][] = [
  // "came from reading an email": the value came from what was read.
  [
    /\b(came|comes|come|taken|copied|pulled|got|lifted) from (?:reading|opening|scanning) (?=(?:an?|the|any|some) )/g,
    '$1 from ',
  ],
  // "any transfer whose destination came from an email": a transfer to a destination that did.
  [
    /\b(transfers?|payments?|emails?|messages?|mail) whose (destination|payee|account|recipient|address)(?: address| account)? (came|comes|come|was taken|is taken|was copied|is copied) from\b/g,
    '$1 to a $2 that $3 from',
  ],
  // "must come straight from the user": directly is still from the user.
  [/\b(came|comes|come) (?:straight|directly|only) from\b/g, '$1 from'],
  // "the recipient address": the recipient, which the tool's schema names.
  [/\brecipient(?:'s)? (?:email )?address\b/g, 'recipient'],
  [/\brecipient(?:s'|'s)? (?:email )?addresses\b/g, 'recipients'],
  // "made up (no known source)": the gloss restates "made up".
  [
    /\b(made up|invented|fabricated|hallucinated)\s?\((?:with |having |of )?(?:no|an unknown|unknown) (?:known |clear )?(?:source|origin|provenance)\)/g,
    '$1',
  ],
  // "untrusted sources such as the inbox": the examples are inside what "untrusted" already says.
  [
    /\b(untrusted (?:sources?|content|data|tools?)),? (?:such as|like|including|e\.g\.,?) (?:the |an? )?[a-z]+(?: (?!may|must|can|cannot|should|are|is|need|needs|require|requires|and|or)[a-z]+)?\b/g,
    '$1',
  ],
  // "everywhere but the sandbox": everywhere except it.
  [/\b(everywhere|anywhere) but\b/g, '$1 except'],
  // "…, except with Oscar's approval": the exception is an approval, so it is "unless X approves".
  [/,? except with ([a-z]+)'s (?:approval|sign-?off|consent|ok|okay)\b/g, ' unless $1 approves'],
  [
    /,? except with (?:an? |prior |explicit )?(?:human )?(?:approval|sign-?off)\b/g,
    ' unless a human approves',
  ],
  // "Payments are capped at $750": above the cap is not allowed. Only as the whole sentence, so
  // a cap inside a longer clause is not split from what it limits.
  [
    /^ ([a-z][a-z ]{2,40}?) (is|are) (?:capped|limited) at ((?:[$€£]\s?\d[\d,.]*k?|\d[\d,.]*k?\s?(?:usd|dollars|eur|euros))) $/,
    ' $1 over $3 $2 not allowed ',
  ],
  // "Christmas Day 2026": a named day of a given year is that date; without a year it stays
  // unread (a yearly day is another rule).
  [/\bchristmas day,? (\d{4})\b/g, 'december 25, $1'],
  [/\bchristmas eve,? (\d{4})\b/g, 'december 24, $1'],
  [/\bboxing day,? (\d{4})\b/g, 'december 26, $1'],
  [/\bnew year's day,? (\d{4})\b/g, 'january 1, $1'],
  [/\bnew year's eve,? (\d{4})\b/g, 'december 31, $1'],
  // "(for example after a suspicious message was read)": an example adds no condition.
  [/\s?\((?:for example|for instance|e\.g\.,?|say)\b[^)]*\)/g, ''],
  // "example.com (subdomains included)": the domain and the names under it.
  [
    /\b([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) \((?:subdomains included|including (?:its |all |any )?subdomains|(?:and |plus )?(?:its |all |any )?subdomains(?: too| as well)?)\)/g,
    '$1 and its subdomains',
  ],
  // "Recipients at example.com are allowed": email to that domain is ("mail" is respelled first).
  [
    /^ recipients (?:on|at|in|within) ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?: and its subdomains)?) (?:are|is) (allowed|fine|ok|permitted)\b/,
    ' email to $1 is $2',
  ],
  // "…; every other recipient needs two approvers", "but any other recipient domain does": mail
  // to any other recipient, which the clause before bounds.
  [
    /(; |, but |, and |, )(?:every|any|each|all) other recipients?(?: domains?)? (?=(?:needs?|requires?|does|do|must|is|are)\b)/g,
    '$1email to any other recipient ',
  ],
  // "If even one recipient is outside example.com, the whole email is blocked": mail to anyone
  // outside it is.
  [
    /^ if (?:even )?(?:one|a|any|a single) (?:of the )?recipients? (?:is|are) outside ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}),? (?:then )?(?:the (?:whole |entire )?)?(email|message|mail) is /,
    ' $2 to anyone outside $1 is ',
  ],
  [/\b(anyone|someone|recipients?) whose (?:email )?address(?:es)? (?:is|are) outside\b/g, '$1 outside'],
  // "Under no circumstances should the assistant email …": it may never; "even if the user asks"
  // is emphasis, the rule holds either way.
  [
    /^ under no circumstances (?:should|may|can|must|will|shall) (the (?:[a-z -]{1,30}? )?(?:agent|assistant)|any agent|agents|anyone) /,
    ' $1 may never ',
  ],
  [
    /,? even if (?:the user|a user|someone|anyone|they) (?:asks?|requests?|insists?|says so)(?: for it| to| so)?(?=\s?[,;]|\s*$)/g,
    '',
  ],
  // "any financial operation": the category's operations.
  [/\b(financial|destructive|read-only) operation\b/g, '$1 operations'],
  // "Nothing labelled confidential may be accessed": no tool carrying that label may be used.
  [
    /^ (?:nothing|no tool|no data|no resource) (?:labell?ed|tagged|marked) ([a-z_]+) (?:may|can|should|must) be (?:accessed|used|touched|called) $/,
    ' $1 tools may not be used ',
  ],
  // "no email may be sent for the rest of it": a session's label stays, so the rest is the session.
  [/ for the (?:rest|remainder) of (?:it|the session|that session)(?=\s?[,;]|\s*$)/g, ''],
  // "before anyone sees it": seeing data is reading it.
  [
    /\b(before|once|when|if) (anyone|someone|an agent|any agent) (?:sees|views|looks at) it\b/g,
    '$1 $2 reads it',
  ],
  // "The finance report needs Fiona's approval and may not be pulled on weekends": two rules on
  // one subject, each said of it. Only a whole sentence, so the subject is the sentence's first words.
  [
    /^ ((?:the |all |any |every )?[a-z][a-z0-9 _.-]{2,40}?) (needs?|requires?) ([^,;]{3,60}?) and (may not|must not|cannot|can't|should not|shouldn't|may never|must never) ([^,;]+) $/,
    ' $1 $2 $3 ; $1 $4 $5 ',
  ],
  // "Two members of the finance group must approve every transfer": the transfers need that many
  // approvals from the group; said as the subject, the count would otherwise be read apart.
  [
    /^ (two|three|four|five|\d+) (?:members|people|persons) (?:of|in|from) (?:the )?([a-z][a-z0-9_-]*)(?: group| team)? (?:must|has to|have to|need to|should|shall) (?:approve|sign off on|ok|okay) ([^;,]+)$/,
    ' $3 needs $1 approvals from the $2 group ',
  ],
  // "has to get approval from …": needs it.
  [/\b(?:has|have|will have) to (?:get|obtain|secure) (approval|sign-?off) (from|by)\b/g, 'needs $1 $2'],
  // "two members of the finance group", "two people in the finance group": approvers from it.
  [
    /\b(two|three|four|five|\d+) (?:members|people|persons|colleagues) (?:of|in|from) (?:the )?([a-z][a-z0-9_-]*) (?:group|team)\b/g,
    '$1 $2 members',
  ],
  // "sign-off from one finance member": one member of that group. As the subject ("one finance
  // member has to approve") the phrasings already read it.
  [
    /\b(?:one|a single) ([a-z][a-z0-9_-]*) member\b(?! (?:has to|must|needs to|should|shall)\b)/g,
    'one member of the $1 group',
  ],
];
