/**
 * Registers: the same rule written formally ("No agent shall …", "save that …", "shall be subject
 * to approval") or tersely ("no deletes on prod pls", "xfers → approval", "max 5 payments/hr").
 * Each rewrite maps a register's form onto the plain form the grammar already reads, so a
 * sentence in either register compiles to what its plain form compiles to. They run first, on
 * the lower-cased sentence, before symbols and shorthand are respelled. What a form cannot say
 * for sure is left alone, for the grammar to refuse.
 */

import { normalizeAnswers } from './normalize-answers.js';
import { normalizeLearners } from './normalize-learners.js';
import { normalizeRequirements } from './normalize-requirements.js';

/** A rewrite's result: a pattern, or a function of the match. */
type Replacement = string | ((match: string, ...groups: string[]) => string);

/** Terse chat: shorthand and misspellings for words the grammar knows. */
const TERSE_WORDS: readonly [RegExp, Replacement][] = [
  // Politeness and asides carry no rule: "pls", "plz", "ofc".
  [/\s(?:pls|plz|ofc|thx)\b/g, ' '],
  [/\bxfers\b/g, 'transfers'],
  [/\bxfer\b/g, 'transfer'],
  [/\btransfrs\b/g, 'transfers'],
  [/\bappro(?:vl|vel|val)\b/g, 'approval'],
  [/\bppl\b/g, 'people'],
  [/\b(?:shd|shud|shoud|shld)\b/g, 'should'],
  [/\baddrs\b/g, 'addresses'],
  [/\baddr\b/g, 'address'],
  [/\bacct\b(?![-\w])/g, 'account'],
  [/\bmsgs\b/g, 'messages'],
  [/\bcmds\b/g, 'commands'],
  [/\bcmd\b/g, 'command'],
  [/\bmsg\b/g, 'message'],
  // "ext comms" is left for the grammar to refuse: the category of external communication, or
  // mail outside the company's domain, as "external" says of recipients?
  [/\bext\b(?! comms\b)/g, 'external'],
  [/(?<!\bext )\bcomms\b/g, 'communications'],
  [/\bbiz\b/g, 'business'],
  [/\bhrs\b/g, 'hours'],
  [/\bthru\b/g, 'through'],
  [/\bw\/o\b/g, 'without'],
  [/\bw\/(?=\s)/g, 'with'],
  [/\breq'd\b/g, 'required'],
  [/\br\b(?= (?:always |never |not |fine|ok|blocked|allowed)\b)/g, 'are'],
  // Missing apostrophes: "dont", "shouldnt", "doesnt", "cant".
  [/\b(do|does|should|must|is|are|did)nt\b/g, '$1 not'],
  [/\bcant\b/g, 'cannot'],
  [/\bdont let (the [a-z -]{1,30}?(?:agent|assistant)|agents|anyone|any agent) /g, '$1 may not '],
  [/\brun(?:n)?ing\b/g, 'running'],
  // "xfers → approval", "50k+ xfers -> blocked": the arrow leads to what the calls get.
  [
    /\s*(?:->|=>|→)\s*(?=(?:an? |human |(?:\d|one|two|three) (?:[a-z]+ )?)?(?:approvals?|approvers?|sign-?offs?|ok)\b)/g,
    ' need ',
  ],
  [/\s*(?:->|=>|→)\s*(?:someone|somebody|a human|a person) (?:approves|signs off)\b/g, ' need approval'],
  [/\bneed (approval|sign-?off) (?:needed|required|req'd|first)\b/g, 'need $1'],
  [/\s*(?:->|=>|→)\s*(?:blocked|block|deny|denied|forbidden)(?=\s?[.;,]|\s*$)/g, ' are blocked'],
  [/\bfin\b/g, 'finance'],
  [/(?<!:\s)\bmax (?=\d)/g, 'at most '],
  [/\b(needs?|requires?) (?:an? )?ok\b/g, '$1 approval'],
  [/\banywhere (?=except\b)/g, ''],
  [/\b(weekdays|weekends) only\b/g, 'only on $1'],
  // "50k+ xfers": transfers of at least the figure.
  [/(^|\s)([$€£]?\d[\d,.]*k?)\+ (transfers|payments|wires|transactions)\b/g, '$1$3 of at least $2'],
  // A spaced hyphen or slash in chat joins clauses or alternatives: "… - except …", "before 08:00 / after 18:00".
  [/\s-\s(?=(?:except|unless)\b)/g, ' , '],
  [/\s\/\s/g, ' or '],
  [/\s\+\s/g, ' and '],
  // "can the finance agent pay above 5k? no": it may not; "…? yes": it may. What follows the
  // answer is kept: "No, except sandbox rows" and "No - unless …" are part of the rule, and
  // anything else after it is left for the parser to refuse rather than dropped.
  [
    /^ (?:can|may|should) (the [a-z -]{0,30}?(?:agent|assistant|bot)|[a-z]+-agent|agents) (.{3,60}?)(?: in one go)?\?\s?(?:hard |absolutely )?(?:no|nope|never)\b[.!]*(?:\s?\((?:never|none|nope|no)\))?\s*(?:[,-]\s*)?(?:(?:never|not ever|no way)\b[.!]*\s*(?:[,-]\s*)?)?/,
    ' $1 may not $2 , ',
  ],
  [
    /^ (?:can|may) (the [a-z -]{0,30}?(?:agent|assistant|bot)|[a-z]+-agent|agents) (.{3,60}?)\?\s?(?:yes|yep|sure)\b[.!]*\s*(?:[,-]\s*)?(?:(?:always|totally|that's|that is|it's|it is) )?(?:(?:fine|ok|okay)\b[.!]*\s*(?:[,-]\s*)?)?/,
    ' $1 may $2 , ',
  ],
  // "every transfer: 2 finance approvers": those calls need them.
  [
    /^ ([^:]{3,60}?): (\d|one|two|three) ([a-z]+ )?(approvals?|approvers?|sign-?offs?)(?=\s*$|\s?[;,])/,
    ' $1 need $2 $3$4',
  ],
  // A predicate with no verb: "prod deletes blocked", "reads ok, everything else → approval".
  [
    /(?<=[a-z0-9)] )(?<!\b(?:is|are|be|been|not|get|gets|stay|stays|remain|remains|look|looks|always|never|only|also|still|just|then|all|simply|flatly|outright|human|person|an?)\s|'(?:s|re)\s)(blocked|denied|forbidden|fine|ok|allowed)(?=\s?[,;.]|\s*$| for now\b| unless\b| except\b| on\b| during\b| outside\b| after\b| before\b)/g,
    'are $1',
  ],
  // A question answered: "xfer >= $100k? hard no", "payments while in inbox triage? no".
  [
    /^ (?!(?:can|may|should|is|are|do|does)\b)([^?]{3,80}?)\?\s?(?:hard |absolutely |definitely )?(?:no|nope|never)\b\.?(?:\s?\([^)]*\))?\s*$/,
    ' no $1 ',
  ],
  [
    /(?<!\b(?:may|can|to|not|will|must|should) )\b(transfer|payment|wire) (?=(?:>=|≥|<=|≤|at least|at most) ?[$€£\d])/g,
    '$1 of ',
  ],
  [/\s?\(non[- ]([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})\)/g, ' outside $1'],
  [/\s?\((?:incl\.?|including) [^)]{1,40}\)/g, ''],
  [/\s(?:on|in|for) this (?:tenant|deployment|instance|cluster)\b/g, ''],
  [/\s(?:entirely|completely|outright)?,? ?until further notice\b/g, ''],
  [/\b(confidential|untrusted) stuff\b/g, '$1 data'],
  [/,? no exceptions\b/g, ''],
  [/\bsomeone (?:on|in|from) the ([a-z]+) team\b/g, 'someone in the $1 group'],
  [/\b(financial|read|write|delete|destructive) ops\b(?!-)/g, '$1 operations'],
  [/\b(?:go|goes) thr(?:u|ough)\b(?=\s?[,;]|\s*$)/g, 'are fine'],
  [/\b(is|are) only allowed to (send|make|do|run) (\d+)\b/g, 'may $2 at most $3'],
  [/\bdeclared (?!the\b|an?\b|intent\b)([a-z]+-[a-z]+)\b(?! intent)/g, 'declared the $1 intent'],
  [/\sfor now\b/g, ''],
  [/\bbucks\b/g, 'dollars'],
  [/(?<!\bone),? exception: /g, ', except '],
  [/\bjust (?=made up\b)/g, ''],
  // "untrusted in session? then no db queries": a label the session carries, set off as a condition.
  [
    /^ (confidential|untrusted) (?:data |content |info |stuff )?in (?:the )?session\s*(?:→|->|=>|\?|,|:)\s*(?:then )?/,
    ' when the session carries the $1 label , ',
  ],
  // "9-17 UTC": whole hours, when the range reads forwards (a "9-5" is left for the grammar).
  [
    /\b(\d{1,2})-(\d{1,2})(?= utc\b)/g,
    (m: string, a: string, b: string) => (Number(a) < Number(b) && Number(b) <= 24 ? `${a}:00-${b}:00` : m),
  ],
  // "user/contacts", "list/read": alternatives.
  [
    /\b[a-z]{2,}(?:\/(?!(?:hr|hour|day|min|minute|week)\b)[a-z]{2,})+\b/g,
    (m: string) => m.split('/').join(' or '),
  ],
  // Effect words of a compliance register: "pre-cleared" is a permission (which adds no rule),
  // "approve-only" asks a person, and "for good", "permanently", "until further notice" after a
  // denial say no date (a date would be a condition, so only these set phrases are dropped).
  [/\b(is|are) pre-?cleared\b/g, '$1 allowed'],
  [/\b(is|are) approve-only\b/g, 'needs approval'],
  [
    /\b(blocked|denied|forbidden|prohibited|banned) (?:for good|permanently|until further notice)(?=\s*[,;.]|\s*$)/g,
    '$1',
  ],
  [/\bread-only \((?:no|nothing but|only) [a-z ]{1,30}\)/g, 'read-only'],
  [/\bread only\b(?=\s*$|\s?[,;.(])/g, 'read-only'],
  // "is read only in prod": after a copula "read only" is the adjective, so only writes are
  // barred there; bare ("ops-agent: read only in prod") it may be "may read only in prod", left
  // for the grammar to refuse.
  [/\b(is|are|be|stays?|remains?) read only\b/g, '$1 read-only'],
  // "should be read-only": the modal of a requirement, which is the rule's statement.
  [/\b(?:should|must|shall|has to|needs to) be read-only\b/g, 'is read-only'],
  // "deletes on the orders system need 2 people": that many people's approval.
  [
    /\b(needs?|requires?) (\d|two|three) (?:people|persons|approvers)(?=\s*$|\s?[,;.])/g,
    '$1 approval by $2 people',
  ],
  // "ops-agent: read-only in prod": the label's agent is read-only there.
  [
    /^ ([a-z][a-z0-9_-]{1,30}(?: [a-z][a-z0-9_-]{1,30}){0,2}) ?[:,] read-only (?=(?:in|on|inside) )/,
    ' $1 is read-only ',
  ],
  [/\s=\s/g, ' is '],
  // A closing aside in brackets that names no condition ("(card testing / test pings)") is a reason.
  [
    /(\b(?:blocked|denied|forbidden|fine|allowed|approval|approvals|sign-?off)) \((?![^)]*(?:\d|@|\.[a-z]{2,}\b|\bexcept|\bunless|\bonly|\bnot\b|\bno\b))[^)]{1,40}\)\s*$/,
    '$1',
  ],
  // "no declared intent -> no outbound mail": the condition, fronted.
  [/^ no declared intent\s*(?:->|→|=>|,|:)\s*no (.+?)\s*$/, ' no $1 without a declared intent '],
  [/\bwhere the (payee|recipient|destination)\b/g, 'whose $1'],
  // "non-example.com addrs", "(non example.com)": addresses outside the domain.
  [
    /\bnon[- ]([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) (addresses|addrs|recipients|domains?)\b/g,
    '$2 outside $1',
  ],
  [/\bnon[- ]([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) (address|addr|recipient)\b/g, '$2 outside $1'],
  // Rates: "/hr", "/day", "an hr".
  [/\s?\/\s?(?:hr|hour)\b/g, ' per hour'],
  [/\s?\/\s?(?:min|minute)\b/g, ' per minute'],
  [/\s?\/\s?day\b/g, ' per day'],
  [/\b(?:an|a|per|each) hr\b/g, 'per hour'],
];

/** Formal register: legal modals, fronted conditions, exceptions and passive forms. */
const FORMAL_WORDS: readonly [RegExp, Replacement][] = [
  // Emphasis that adds no condition.
  [
    /,? (?:under any circumstances|in any manner|in its entirety|without exception|of any description|whatsoever),?/g,
    '',
  ],
  [/\bhereby /g, ''],
  // "save that", "save where", "save for": except, read before any rewrite of what follows.
  [/\bsave (?:that|where|for)\b/g, 'except'],
  [/\beach and every\b/g, 'every'],
  [/,? irrespective of the amount(?: concerned| involved)?\b/g, ''],
  [/\belectronic mail(?: messages?)?\b/g, 'email'],
  // Numbered clauses merged into one sentence: "7.1 Disbursements. (a) …; (b) …". The heading
  // names what the clauses go on to say; the letters only count them.
  [/^ \d+(?:\.\d+)+ [a-z][a-z -]{0,40}\. (?=\([a-h]\))/, ' '],
  [/(^|\s)\([a-h]\)\s/g, ' '],
  // A participle after its noun says nothing the noun does not: "deletions performed on a
  // Saturday", "email dispatched between …", "queries executed against …".
  [
    /(?<!\b(?:be|been|being|is|are|was|were|not|has|have|had)) (?:performed|carried out|executed|initiated|dispatched|issued|attempted|conducted|undertaken|submitted)(?= (?:in|on|by|within|against|outside|between|after|during|at|under)\b)/g,
    '',
  ],
  [/\b(shall|may|must) be (?:executed|issued|dispatched|carried out|performed|effected)\b/g, '$1 be made'],
  // "outside business hours, being 09:00 to 17:00 UTC, Monday to Friday": the hours, in brackets.
  [
    /\b((?:outside|during|within|in) (?:business|office|working) hours),? (?:being|namely|that is|i\.e\.,?) ([^;()]*?\d[^;()]*?)(?=,? (?:shall|may|must|are|is|require|need)\b|\s?;|\s*$)/g,
    '$1 ($2)',
  ],
  // "09:00 to 17:00": a range of clock times, written as the grammar reads one.
  [/(?<!\bfrom |window,? )\b(\d{1,2}:\d{2}) (?:to|until|till) (\d{1,2}:\d{2})\b/g, '$1-$2'],
  // Amounts: "in an amount of $5,000", "whose value equals or exceeds 3,000 US dollars".
  [/\bin (?:an|the) amount of\b/g, 'of'],
  [/\bwhose (?:value|amount) (?:equals or exceeds|is at least|is not less than)\b/g, 'of at least'],
  [/\bwhose (?:value|amount) (?:exceeds|is (?:above|over|more than))\b/g, 'over'],
  [/(\d) us dollars\b/g, '$1 dollars'],
  [/\bmonetary (transfers?|payments?)\b/g, '$1'],
  [/\bdisbursements\b/g, 'payments'],
  [/\bdisbursement\b/g, 'payment'],
  [/\bcorrespondence\b/g, 'email'],
  // "shall be referred to a member of the finance group for approval": that approval.
  [
    /\b(?:shall|must) be referred to (.{3,50}?) for (?:approval|review|sign-?off)\b/g,
    'need approval from $1',
  ],
  [
    /\b(?:shall|must) be referred (?:for|to) (?:a )?(human|manual) (?:approval|approver|review|reviewer)\b/g,
    'need $1 approval',
  ],
  // "unless a human has first approved the deletion": unless approved by them.
  [
    /\bunless (.{1,40}?) (?:has|have) (?:first |previously )?approved(?: it| them| the [a-z]+)?\b/g,
    'unless approved by $1',
  ],
  // Clauses that restate what the rule leaves alone: "…; the agent's other operations are
  // unaffected", "it being understood that during the freeze they remain denied".
  [
    /\s?[;,] (?:it being understood that |whereas |but )?[^;]{3,90}? (?:(?:are|is|shall remain|remain|remains) (?:unaffected|not affected)(?: by this (?:clause|rule|policy))?|(?:remain|remains|stay|stays) denied)\s*$/,
    ' ',
  ],
  [/\b(denied|prohibited|blocked|refused|forbidden) as [a-z]+(?=\s?[,;]|\s*$)/g, '$1'],
  [/\s(?:without further (?:formality|review|restriction)|for any purpose)\b,?/g, ''],
  [/\s(?:by means of|via|through) the [a-z]+ facility\b/g, ''],
  [/\b(agents?) of the (?:bank|company|firm|organi[sz]ation)\b/g, '$1'],
  [/\b(records?|data) held in\b/g, '$1 in'],
  [/\b(?:shall|must|will) be (?:treated|regarded|considered) as\b/g, 'is'],
  [/\b(?:shall|will) remain (permitted|allowed)\b/g, 'are $1'],
  // Access taken away: "is hereby revoked", "is withheld from all agents until further notice".
  [
    /\b(is|are) (?:revoked|withheld|suspended)(?: from (?:all agents|every agent|agents))?(?: until further notice)?/g,
    '$1 blocked',
  ],
  // Approval in the passive: "shall be countersigned by", "shall be released only upon the approval of".
  [/\b(?:shall|must) be countersigned by\b/g, 'need approval from'],
  [
    /\b(?:shall|must|may) (?:only )?be (?:released|granted|run|generated|produced|sent|made)(?: only)? (?:upon|with|after) (?:the )?(?:prior )?(?:approval|sign-?off|consent) (?:of|by|from)\b/g,
    'need approval from',
  ],
  // Intents: "agents acting under the X intent", "where the agent has declared the X intent".
  [/\b(?:acting|operating|working) (?=under |within |for the purpose of |in the course of )/g, ''],
  [
    /\b(?:where|when|if|once|by|for) (?:the (?:sending |calling )?agent|an agent|any agent|agents|it) (?:that |which |who )?(?:(?:has|have) )?declared (?:the |an? )?([a-z][a-z-]*) intent\b/g,
    'under the $1 intent',
  ],
  [
    /\b(?:an? |any )?agents? (?:that|which|who) (?:has|have) declared (?:the |an? )?([a-z][a-z-]*) intent\b/g,
    'agents under the $1 intent',
  ],
  [/\bwithin the ([a-z][a-z-]*) intent\b/g, 'under the $1 intent'],
  [/\b(?:for the purpose|pursuing the purpose) of ([a-z]+ [a-z]+)\b/g, 'during $1'],
  // Labels: "a session exposed to untrusted content", "data designated confidential".
  [
    /\b(?:where|once|after|when|if) (?:a|the) session has (?:been exposed to|accessed|handled|consulted|read) ([a-z]+) (?:content|data|information|material)\b/g,
    'in a session labelled $1',
  ],
  [/\b(?:a |the )?session tainted (?:by|with|w\/) ([a-z]+)(?: data| content)?\b/g, 'a session labelled $1'],
  [/\b(?:designated|classified) (?:as )?(confidential|untrusted|trusted)\b/g, 'labelled $1'],
  [/\b(?:data|content|information) labelled (confidential|untrusted)\b/g, '$1 data'],
  [/\bsources labelled (trusted|untrusted)\b/g, '$1 sources'],
  [/\b(?:material|data|content|information) bearing the ([a-z]+) label\b/g, '$1 data'],
  // Counts: "the dispatch of more than twenty emails … is prohibited"; "for any single agent".
  [/\s(?:for|by) (?:any|each) (?:single|one) agent\b/g, ''],
  // Counts: "shall be capped at 100 per hour", "shall not exceed three per hour".
  [/\b(?:in|within) (?:any calendar|a single|any single|any one) (hour|day|minute)\b/g, 'per $1'],
  [/\b(?:in|within) any rolling period of (?:sixty|60) minutes\b/g, 'per hour'],
  [/^ per (hour|day|minute) ?, (.+?)\s*$/, ' $2 per $1 '],
  [
    /^ (?:the )?(?:dispatch|sending|making|execution) of more than ([a-z0-9]+) ([a-z ]+?) per (hour|day|minute) (?:is|are) (?:prohibited|forbidden|denied)\b/,
    ' at most $1 $2 per $3',
  ],
  [
    /^ (the [a-z -]{1,30}?(?:agent|assistant)) (?:shall |must )?be (?:limited|capped|restricted) to ([a-z0-9]+) ([a-z ]+?) per (hour|minute|day)\b/,
    ' $1 may make at most $2 $3 per $4',
  ],
  [
    /^ (.{3,60}?) (?:(?:shall|must) (?:be (?:limited|capped|restricted) (?:to|at)|not exceed)|(?:limited|capped) @) ([a-z0-9]+) per (hour|minute|day)\b/,
    ' at most $2 $1 per $3',
  ],
  [/^ a maximum of ([a-z0-9]+) (.{3,40}?) may be [a-z]+ per (hour|minute|day)\b/, ' at most $1 $2 per $3'],
  [/\blook-ups?\b/g, (m: string) => (m.endsWith('s') ? 'lookups' : 'lookup')],
  [/\bsaturdays? (?:or|and) (?:on )?an? (sundays?)\b/g, 'saturday or $1'],
  [
    /(?<!\b(?:be|been|being|is|are|was|were|not|has|have|had)) (?:taken(?= (?:in|on|during|within|outside|after|before|between)\b)|made(?= in (?:a|any|the) session\b))/g,
    '',
  ],
  [/\b(?:within|in) either (?=the\b)/g, 'in '],
  [/\b(?:the )?(?:mailbox|inbox) contents\b/g, 'the inbox'],
  [/\bthe contents of (?:individual |each |any )?(messages|emails)\b/g, '$1'],
  // A reviewer is a person asked to approve.
  [/(?<!\bhuman )\breviewers\b/g, 'people'],
  [/(?<!\bhuman )\breviewer\b/g, 'person'],
  [/\s(?:for|to|on) which (?:it|they) (?:holds?|has|have) (?:a )?grants?\b/g, ''],
  [/,? considered as a category,?/g, ''],
  [/\b(?:all )?tools classified as deletion operations\b/g, 'all deletions'],
  [/\bdeletion (?:activities|operations)\b/g, 'deletions'],
  [/\b(outbound|outgoing) message(s?)\b/g, '$1 email$2'],
  [/\bof individual (messages|emails)\b/g, 'of $1'],
  [/\bto any other address\b/g, 'to any other domain'],
  [/\b(shall|may|must) be addressed to\b/g, '$1 be sent to'],
  [
    /\binternal addresses,? being those ending in @([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}),?/g,
    'addresses at $1',
  ],
  // The base policy's freeze holds whatever a rule says: naming it adds no condition.
  [
    /^ (?:notwithstanding|subject always to|in addition to|without prejudice to) (?:the |any )?[a-z -]{0,30}freeze,? /,
    ' ',
  ],
  [/,? without prejudice to (?:the )?[a-z -]{0,30}freeze\b/g, ''],
  [/^ with effect from the date of (?:this|the) policy,? /, ' '],
  [/\s(?:accordingly|by any means|on any day)\b/g, ''],
  // "generate, retrieve or otherwise access": the last verb covers the others.
  [/\b[a-z]+(?:, [a-z]+)*,? or otherwise (access|use|touch|call)\b/g, '$1'],
  [/\b(delete|remove) (?:any |the )?(?:records?|data|entries|rows) (?:held )?(?:in|from)\b/g, 'delete from'],
  [/\bremoval of (?:records?|data|entries) from\b/g, 'deletions from'],
  // "operations of a financial nature", "operations categorised as financial": financial operations.
  [/\b(operations?|actions?|activit(?:y|ies)) of an? ([a-z]+) nature\b/g, '$2 $1'],
  [
    /\b(operations|actions|calls) (?:categori[sz]ed|classified) as ([a-z]+)\b(?! (?:operations|tools|actions))/g,
    '$2 $1',
  ],
  [/\b(?:shall|must|will) not be so subject\b/g, 'need no approval'],
  [
    /\b(?:cannot|can not|may not|shall not) proceed without (?:such |prior |human )?approval\b/g,
    'needs approval',
  ],
  [/\b(?:shall|must) be unavailable to (?:every agent|all agents|agents|any agent)\b/g, 'are blocked'],
  // "No payment exceeding $10,000 shall be made without the approval of …": those need it.
  [
    /^ no (payment|transfer|email|message|deletion|query)s? (.{0,60}?)(?:shall|may|must|can) (?:be [a-z]+ )?without (?:the )?(?:prior )?(?:approval|sign-?off|consent) (?:of|from|by) /,
    ' $1s $2need approval from ',
  ],
  // "No agent shall perform any operation of a financial nature without the approval of …": every
  // such operation needs it, whoever performs it.
  [
    /^ no (?:agent|one) (?:shall|may|must|can) (?:perform|carry out|undertake|execute|initiate) (.{3,60}?) without (?:the )?(?:prior )?(?:approval|sign-?off|consent) (?:of|from|by) /,
    ' $1 need approval from ',
  ],
  [/\babove that (?:sum|amount|figure|limit)\b/g, 'above that'],
  // Domains: "within the example.com or partner.org domains", "in the competitor.com domain".
  [
    /\b(?:within|in|at) the ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) or ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) domains\b/g,
    'at $1 or $2',
  ],
  [/\b(?:within|in|at) the ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) domain\b/g, 'at $1'],
  [/\b(directed|addressed|sent) to one or more\b/g, 'to'],
  [/\b([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) or to any subdomains? thereof\b/g, '$1 and its subdomains'],
  [
    /,? (?:in (?:her|his|their) capacity )?as (?:the )?owner of the [a-z ]{1,30}?(?:agent|assistant)\b,?/g,
    '',
  ],
  [/^ no ([a-z]+?) (.{0,60}?)(?:shall|may) occur\b/, ' no $1 $2'],
  [/\b(?:shall|must) be frozen\b/g, 'are blocked'],
  [/\btools within the scope of\b/g, 'tools of'],
  [/\b(?:shall|must) be (?:restricted|confined|limited) to (?=the tools\b)/g, 'may only use '],
  // "In the event that …, the approval of X shall be obtained": if …, it needs X's approval.
  [
    /, the (?:prior )?(?:approval|sign-?off|consent) of ([^,;]{3,60}?),? (?:shall|must) be (?:obtained|required|sought)\b[^;]*$/,
    ', it needs approval from $1',
  ],
  [/\bthe amount of (?:an? |any |the )(payment|transfer) (?=is\b|exceeds\b)/g, 'a $1 '],
  [/\bno order (?=(?:may|shall|must|can) be\b)/g, 'no orders '],
  // "…requires no approval, but … shall require it": "it" is the approval named before.
  [/(?<=\bapproval\b.*)\b(require|requires|need|needs) it\s*$/, '$1 approval'],
  // Fronted conditions and exceptions, in their plain words.
  [/\bin the event (?:that|where)\b/g, 'if'],
  [/\bwith the exception of\b/g, 'except'],
  [/^ notwithstanding any other provision of (?:this|the) policy,? /, ' '],
  // "shall not be permitted to delete": may not delete.
  [/\bshall not be (?:permitted|allowed) to\b/g, 'may not'],
  // "no agent shall run …" anywhere in the sentence: no agent may.
  [/\b(no (?:[a-z-]+ ){0,2}?(?:agent|agents|one|assistant|bot)) shall (?!not\b|be\b)/g, '$1 may '],
  [/\bshall (?:only )?be permitted to\b/g, 'may'],
  [/\bunder no circumstances shall (.{3,40}?) be (?:permitted|allowed) to\b/g, '$1 may never'],
  // "shall be subject to (the prior) approval of …": needs approval from ….
  [
    /\b(?:shall|must|will) (?:in all cases )?be subject to (?:the )?(?:prior )?(?:approval|sign-?off|authori[sz]ation) (?:of|by)\b/g,
    'need approval from',
  ],
  [
    /\b(?:shall|must|will) (?:in all cases )?be subject to (?:prior )?(human |manual )?approval\b/g,
    'need $1approval',
  ],
  // "shall require", "shall be denied": the rule states what is, as the plain form does.
  [/\bshall (require|need)\b/g, '$1'],
  [/\bshall be (denied|prohibited|forbidden|blocked|refused|permitted|allowed)\b/g, 'are $1'],
  // "prior to its dispatch", "before it is run": the approval comes first anyway. Not "before
  // sending any email": the object says which calls need it, and dropping it asked for every one.
  [
    /\b((?:approv|sign-?off|consent|authori[sz])[^;,]{0,60}?)\s(?:(?:prior to|before) (?:its |their )?(?:dispatch|execution|release|sending(?! [a-z]))|before (?:it|they) (?:is|are) (?:run|sent|executed|made|released))\b/g,
    '$1',
  ],
  [/\b(?:the )?(?:sign-?off|written consent|consent) of\b/g, 'the approval of'],
  [/\ba human (?:reviewer|being|approver)\b/g, 'a human'],
];

/** A report is pulled: "generate", "produce" said of one. */
const REPORT_VERBS: readonly [RegExp, Replacement][] = [
  [/\b(?:generate|produce)\b/g, 'pull'],
  [/\b(?:generates|produces)\b/g, 'pulls'],
  [/\b(?:generated|produced)\b/g, 'pulled'],
  [/\b(?:generating|producing)\b/g, 'pulling'],
];

export const REGISTER_WORDS: readonly [RegExp, Replacement][] = [...TERSE_WORDS, ...FORMAL_WORDS];

/** Applies the register rewrites to a lower-cased, space-padded sentence. */
export function normalizeRegisters(s: string): string {
  let out = normalizeLearners(normalizeAnswers(s));
  for (const [re, to] of REGISTER_WORDS)
    out = typeof to === 'string' ? out.replace(re, to) : out.replace(re, to);
  if (/\breports?\b/.test(out)) for (const [re, to] of REPORT_VERBS) out = out.replace(re, to as string);
  return normalizeRequirements(out);
}

/** A sentence in its plain form when a register rewrite changed it (for the count reader). */
export function registerPlainForm(sentence: string): string | undefined {
  const lower = ` ${sentence.toLowerCase().replace(/[.!]+\s*$/, '')} `;
  const plain = normalizeRegisters(lower);
  return plain === lower ? undefined : plain.replace(/\s+/g, ' ').trim();
}
