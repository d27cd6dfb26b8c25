/**
 * Rewrites of the normalisation stage for phrasings the blind sets showed (round 7, issue 18):
 * approvers named as group members, permissions said with "automatically" or "except", a state
 * or a zone said in passing, and values said with "ones" or "such as". Run after the general
 * word rewrites (normalize.ts) and before the families of normalize-families.ts. Each keeps the
 * meaning; what it cannot say for sure it leaves for the grammar to refuse.
 */
export const PHRASING_WORDS: readonly [RegExp, string][] = [
  // "one member of the finance group has to approve", "the approval of one finance group member":
  // one approval from that group.
  [
    /\b(?:one|a|a single|any) member of (?:the )?([a-z][a-z-]*) (?:group|team)(?= (?:has to|must|needs to|should|shall) )/g,
    'one $1 member',
  ],
  // "A finance group member has to sign off": the same, said with the group before "member" (the
  // general rewrite of that form below runs after the line above would have read it).
  [
    /\b(?:one|a|a single|any) ([a-z][a-z-]*) (?:group|team) member(?= (?:has to|must|needs to|should|shall) )/g,
    'one $1 member',
  ],
  [
    /\b(?:the )?(approval|sign-?off|consent) of (?:one|a|a single|any) ([a-z][a-z-]*)(?: group| team)? member\b/g,
    '$1 from one member of the $2 group',
  ],
  // "allowed automatically", "without asking": a permission that asks nobody.
  [/\b(allowed|approved|permitted|fine|ok) automatically\b/g, '$1'],
  [/\bwithout asking(?: first)?(?=\s?[,;]|\s*$|\s(?:but|and)\b)/g, 'without approval'],
  // "the partner.org domain": the domain by its name.
  [/\bthe ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) domain\b/g, '$1'],
  // "a recipient at a domain other than example.com": one outside it.
  [/\b(?:at |in )?(?:a |any )?domains? other than\b/g, 'outside'],
  // "emails with even one recipient outside example.com": any recipient outside it.
  [
    /\bwith (?:even |at least |just )?(?:one|a|a single|any) recipients? (outside|not at|beyond)\b/g,
    'to anyone $1',
  ],
  [/ (?:at any time|at all times|any time)(?=\s?[,;])/g, ''],
  [/\b(otherwise|or else) ask for (?:human )?(?:approval|sign-?off)\b/g, '$1 ask a human'],
  [/\b(?:a |an )?sign-?off (from|by) (?=(?:one|a|any|two|both|\d) )/g, 'approval $1 '],
  // "a finance group member": one member of that group.
  [/\b(?:a|one|any|a single) ([a-z][a-z-]*) (?:group|team) member\b/g, 'one member of the $1 group'],
  [/\b(is|are) (?:disallowed|off the table|not on the table|a no-go)\b/g, '$1 not allowed'],
  // "The finance report is restricted to the finance agent": only that agent may use it.
  [
    /^ ([a-z][a-z _.-]{2,40}?) (?:is|are) (?:restricted|limited|reserved) to (the [a-z -]{2,30}? (?:agent|assistant))(?=\s*$)/,
    ' $1 may only be used by $2',
  ],
  // "recipients that come from the user or from a trusted source such as the address book".
  [/\b(recipients|addresses|payees|accounts) that (?:come|comes|came) from the user\b/g, '$1 the user gave'],
  [
    /\b(trusted (?:sources?|tools?|systems?)),? (?:such as|like) (?:the )?(?:address book|contacts book|contact book|contacts(?: tool| directory)?|contacts\.lookup)\b/g,
    '$1',
  ],
  // "Tools whose resource environment is production": production tools.
  [/\btools whose (?:resource )?(?:environment|env) is ([a-z]+)\b/g, '$1 tools'],
  // "while the change freeze is in effect": while it holds.
  [/\b(freeze|window) (?:is|are) (?:in effect|active|in force|in place|on)\b/g, '$1'],
  // "every finance report request": the call is what is requested.
  [/\b(finance reports?|reports?|transfers?|payments?|quer(?:y|ies)|deletions?|deletes?) requests?\b/g, '$1'],
  // "untrusted tool output": what an untrusted tool returned is untrusted content.
  [/\buntrusted (?:tool |tools' |tool's )?(?:output|outputs|results?|responses?)\b/g, 'untrusted content'],
  // "Sandbox deletions are allowed, except during the change freeze": not allowed then. Not a
  // subject said in the negative: "No deletions are allowed except on the sandbox" permits the
  // exception and nothing else, the very opposite.
  [
    /^ (?!(?:no|none|nothing|not|never|neither|nobody|no one)\b)([a-z][^,;]{2,60}?) (is|are) (?:allowed|permitted|fine|ok),? except (?=(?:to|during|on|at|outside|after|before|between|from|in) )/,
    ' $1 $2 not allowed ',
  ],
  // "may not be called": a tool is called by being used.
  [/\b(may|can|must|should|shall)( not| never| only)? be called\b/g, '$1$2 be used'],
  // "must first be approved by dave@example.com": approved by him.
  [/\b(must|has to|have to|should|shall|will|needs? to) first (be|get)\b/g, '$1 $2'],
  // "two finance group members": members of that group.
  [/\b(two|three|four|both|2|3|4) ([a-z][a-z-]*) (?:group|team) members\b/g, '$1 members of the $2 group'],
  // "Three approvers are required before anyone deletes …": before it, they must approve.
  [
    /^ (two|three|four|five|\d{1,2}) approvers (?:are|is) (?:required|needed) (before [^,;]{3,80}?)(?=\s*$)/,
    ' $2 , $1 approvers must approve',
  ],
  // "No emails go out on weekends": none is sent.
  [/\b(emails?|e-mails?|messages|mail) (?:go|goes) out\b/g, '$1 are sent'],
  // "on weekends (Saturday or Sunday)": the parenthesis says the same days again.
  [/\b(on (?:weekends|weekdays)) \(\1\)/g, '$1'],
  // "order-system data", "the order-database": the compound as two words.
  [/\b([a-z]{3,})-(database|databases|db|system|systems|data|records|tools?)\b/g, '$1 $2'],
  // "needs both members of the finance group to approve": their approval.
  [
    /\b(needs?|requires?) (both|two|three|\d) members of (the [a-z][a-z-]* (?:group|team)) to (?:approve|sign off)\b/g,
    '$1 approval from $2 members of $3',
  ],
  // "All agents but the finance agent are barred from payment tools": the others may not use them.
  [/\b(all agents|every agent|everyone|everybody) but (?=the )/g, '$1 except '],
  [/\b(is|are) (?:barred|banned) from (?:using )?/g, '$1 not allowed to use '],
  // "from $1,000 to $5,000 inclusive": a range of amounts includes its ends already.
  [/([$€£]\s?\d[\d,.]*\s?k?) inclusive\b/g, '$1'],
  // "…; at any other time they are forbidden": otherwise.
  [/\s?[;,]\s?at any other time\b/g, ' , otherwise'],
  // "the session may not send email": no agent in it may.
  [/(^ |, )the session (?=(?:may|can|must|should|shall|will)\b)/g, '$1agents '],
  [/\bin (?:a |any |the )?sessions? (?:where|in which) /g, 'when '],
  // "Financial and delete actions": financial actions and deletions, each a kind of call.
  [
    /\b(financial|delete|read|write) and (financial|delete|read|write) (actions|operations)\b/g,
    '$1 $3 and $2 $3',
  ],
  [/\bdelete (?:actions|operations)\b/g, 'deletions'],
  // "… and deletions both need approval": each needs it.
  [
    /(?<=\b(?:actions|operations|deletions|payments|transfers|calls)) both (?=(?:need|require|must|have to)\b)/g,
    ' ',
  ],
  // "except ones addressed only to example.com": sent only there.
  [/\baddressed only to\b/g, 'only to'],
  // "the inbox (listing or reading mail)": the parenthesis says what the inbox is read by.
  [
    /(?<=\binbox) \((?:listing|reading|opening)(?: or (?:listing|reading|opening))? (?:e-?mail|mail|messages)\)/g,
    '',
  ],
  // "payees that were not typed by the user", "payees the user did not type": not given by the user.
  [
    /\b(payees|accounts|recipients|addresses) (?:that|which) (?:were|was|are|is) not (?:typed|given|entered|provided|supplied)(?: in)? by the user\b/g,
    '$1 not given by the user',
  ],
  [
    /\b(payees|accounts|recipients|addresses) (?:that )?the user did(?: not|n't) (?:type|give|enter|provide|supply)(?: in)?\b/g,
    '$1 not given by the user',
  ],
  // "A transfer's payee must come from the address book": transfers may only go to such payees.
  [
    /^ (?:a |the |each |every )?(transfer|payment)'s payee (?:must|may only) come from\b/,
    ' $1s may only go to payees from',
  ],
  // "Mail whose recipient came out of an untrusted tool": mail to recipients taken from untrusted content.
  [
    /\bwhose (recipient|payee)s? (?:came|comes|come|was taken|were taken) (?:out of|from) (?:an? |the )?untrusted (?:tools?|sources?|content)\b/g,
    'to $1s taken from untrusted content',
  ],
  // "Weekend transfers … are blocked, and weekday ones …": the same noun said again.
  [
    /\b(weekend|weekday) (transfers|payments|emails|deletions|deletes|queries)\b(.+?)\b(weekend|weekday) ones\b/g,
    '$1 $2$3$4 $2',
  ],
  // "External communication", "communicate externally": the catalog's category by its name; the
  // plural "external communications" is messages sent outside the company (the recipients).
  [/\bexternal communication\b(?!s| category)/g, 'communication'],
  [/\b(communicat(?:e|es|ing)) externally\b/g, '$1'],
  // "In production, read-only access is all that is allowed": everything there is read-only.
  [
    /\b(?:only )?read-only access is (?:all that is|all that's|the only thing|the only access) (?:allowed|permitted)\b/g,
    'everything is read-only',
  ],
  // "Every resource whose system is sandbox": the sandbox system.
  [
    /\b(?:every|each|any|all|the) (?:resources?|tools?) (?:whose|where the|with the|with a) system is ([a-z][a-z_-]*)\b/g,
    'the $1 system',
  ],
  // "Flagged sessions (injection suspected)": the brackets say what the flag is.
  [
    /\b(?:flagged|marked) sessions? \((?:injection suspected|suspected injection|possible injection|possibly injected)\)/g,
    'injection-suspected sessions',
  ],
  // "emails outside example.com are denied and internal ones …": the noun said again.
  [/\b(emails|messages|mails)\b(.+?)\b(internal|external) ones\b/g, '$1$2$3 $1'],
  // "When injection is suspected and the recipient came from an email, …": two clauses joined
  // under one "when" both hold; the "and" between them is not the "and" of "nights and weekends".
  [
    /^ (if|when|whenever|while) ((?:[^,;]|,(?=\d{3}))+?) and (?=(?:the|a|an|its|their) (?:[^,;]|,(?=\d{3}))+,)/,
    ' $1 $2 ',
  ],
  // "…, but in production every delete is blocked": a place said first, without its comma.
  [
    /(^ |, (?:but |and )?)(in|on|during|outside) ([a-z0-9_-]+) (?=(?:every|all|any|each|no|nothing|everything|anything) )/g,
    '$1$2 $3, ',
  ],
  // "a human's OK": a human OK.
  [/\b(?:a|an) (?:human|person)'s (?:ok|okay)\b/g, 'human approval'],
  // "from $50 up to $500": a range of amounts, its ends included.
  [/\bfrom ([$€£]?\s?\d[\d,.]*\s?(?:k|usd|dollars)?) up to\b/g, 'from $1 to'],
  // "anything addressed outside example.com": sent to a recipient outside it.
  [/\baddressed (?=outside\b|beyond\b)/g, 'to '],
  // "example.com colleagues": people at that domain, which the domain says alone.
  [
    /\b([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) (?:colleagues|coworkers|co-workers|staff|employees|people)\b/g,
    '$1',
  ],
  // "is forbidden for everyone": for every agent.
  [
    /\b(forbidden|prohibited|blocked|denied|banned|not allowed|not permitted) for (?:everyone|everybody|anyone|anybody|all)\b/g,
    '$1 for all agents',
  ],
];
