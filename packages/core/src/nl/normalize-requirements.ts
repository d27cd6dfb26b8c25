/**
 * The requirements-document register: a product owner's everyday modals and wishes ("shouldn't",
 * "make sure nobody can …", "I don't want X doing Y", "… are to be checked by someone before
 * they run", "once the session has picked up untrusted content"). Each rewrite maps one form onto
 * the plain form the grammar already reads, so the sentence compiles to what its plain form
 * compiles to. They run after the formal and terse registers, on the lower-cased, space-padded
 * sentence. A form whose reading is not certain is left alone, for the grammar to refuse.
 */

type Replacement = string | ((match: string, ...groups: string[]) => string);

/** Who a wish is about: an agent the sentence names, agents, or anyone. */
const SUBJECT =
  '(?:the (?:[a-z -]{1,30}? )?(?:agent|assistant|bot)|[a-z]+-agent|agents|any agent|anyone|anybody|an agent)';

/** "anyone" in a wish that nobody do a thing is the grammar's "nobody". */
const negated = (subject: string) => (/^any(?:one|body)$/.test(subject) ? 'nobody' : `${subject} may not`);

const REQUIREMENT_WORDS: readonly [RegExp, Replacement][] = [
  // Contracted modals the terse register leaves alone.
  [/\bshouldn't\b/g, 'should not'],
  [/\bmustn't\b/g, 'must not'],
  // A preamble that asks for the rule states it: "Please make sure (that) …", "Let's …", "We'd like to …".
  [/^ (?:please,? )?(?:make sure|ensure|see to it) (?:that )?/, ' '],
  [/^ (?:please|let's|let us|we'd like to|we would like to|generally speaking,?)\s/, ' '],
  // "I don't want the ops bot deleting anything", "We don't want anyone deleting orders": may not.
  [
    new RegExp(String.raw`^ (?:i|we) (?:don't|do not|never) want (${SUBJECT}) (?=[a-z]+ing\b)`),
    (_: string, subject: string) => ` ${negated(subject)} be `,
  ],
  // "We never want mail going to gmail.com addresses": no such mail.
  [
    /^ (?:i|we) (?:don't|do not|never) want (?:any )?((?:e-?)?mail|emails?|payments?|transfers?|deletes|deletions|queries) (?:going |being sent |sent )?(?=to\b)/,
    ' no $1 ',
  ],
  // "It's fine for the finance bot to pay, as long as the amount is under $500": it may, only then.
  [
    new RegExp(
      `^ it's (?:fine|ok|okay|alright|acceptable) for (${SUBJECT}) to ([a-z][^,;]{2,60}?),? (?:as long as|provided(?: that)?|so long as) (?=[a-z])`,
    ),
    ' $1 may $2 only if ',
  ],
  // "It's fine for the assistant to look up contacts, up to 50 times an hour": it may, that often.
  [
    new RegExp(
      `^ it's (?:fine|ok|okay|alright|acceptable) for (${SUBJECT}) to ([a-z][^,;]{2,60}?),? (?=(?:up to|at most|no more than) [a-z0-9,]+ times (?:a|an|per|each|every) (?:minute|hour|day|week)\\b)`,
    ),
    ' $1 may $2 ',
  ],
  // "The ops bot gets 10 sandbox deletes a day, max": it is allowed that many. Only a count in
  // figures with a period right after the calls; "gets" said otherwise is left to be refused.
  [
    new RegExp(
      `^ (${SUBJECT}) gets (\\d[\\d,]*) ([a-z_][a-z_ ]{2,40}?) (?:a|an|per|each|every) (minute|hour|day|week)(?: ?,? (?:max|maximum|tops|at most))?\\s*$`,
    ),
    ' $1 is allowed at most $2 $3 per $4 ',
  ],
  // "except read queries", "except read-only tools": except reads, which is what the grammar
  // reads ("read" before a noun is otherwise taken for the verb).
  [/\bexcept (?:for )?read(?:-only)? (?:queries|tools|operations|calls|access)\b/g, 'except reads'],
  // "the approval of both members of the finance group": two of them.
  // ("Both members of finance have to …" as the subject is read elsewhere.)
  [/\b(of|from|by) both members of\b/g, '$1 two members of'],
  // "Nobody should be able to wipe …": nobody may.
  [/\b(nobody|no one|no agent) (?:should|must) be able to\b/g, '$1 may'],
  [/\b(should|must) not be able to\b/g, 'may not'],
  // Emphasis and scope that add no condition: ", full stop", ", period,", "whatever the system".
  [/,? (?:full stop|period)(?=\s?,|\s*$)/g, ''],
  [
    /(,)? (?:whatever|whichever|no matter) (?:the|which) (?:system|database|environment|agent)\b(?:(?<=,.*),)?/g,
    '',
  ],
  [/, in any (?:database|system|environment)\b/g, ''],
  [/,? across the board\b/g, ''],
  [/,? at least(?= for now\b|\s*$)/g, ''],
  [/\s(?:through|via|from|by) (?:any of )?(?:the|our) agents(?=\s?[,;]|\s*$| until\b)/g, ''],
  // "to our partners at acme.com": to that domain; who they are adds no condition.
  [
    /\b(?:our |the )?(?:partners|clients|customers|vendors|suppliers) at (?=[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b)/g,
    '',
  ],
  // "customer orders": the orders, which are the customers'.
  [/\bcustomer (?=orders?\b)/g, ''],
  // A reason the writer gives for the rule is no condition on the calls: "… while we audit the
  // provider", "…, they're almost always test charges".
  [/,? (?:for now )?while we [a-z][a-z ]{2,60}$/, ''],
  [
    /,? (?:since |because )?(?:they're|they are|it's|it is) (?:almost always|nearly always|usually|mostly|probably|just) [a-z][a-z -]{2,40}$/,
    '',
  ],
  // Passive requirements: "are to be blocked", "need to be blocked", "is a no-go".
  [/\b(?:is|are) to be (blocked|denied|forbidden|prohibited)\b/g, 'are $1'],
  [/\b(?:need|needs) to be (blocked|denied|stopped)\b/g, 'are blocked'],
  [/\b(?:gets?|get) (?:stopped|blocked|refused)\b/g, 'are blocked'],
  [/\b(?:is|are) (?:a no-go|a non-starter|out of the question)\b/g, 'are blocked'],
  // "…; past that, Fiona needs to OK it": what the clause before does not permit needs it.
  [
    /([;,]) (?:past|above|beyond|over) that,? (?:(?:someone|somebody|a human|a person)|([a-z]+)) (?:needs to|has to|must) (?:ok|okay|approve|sign off on) (?:it|them)(?=\s*$)/,
    (_: string, mark: string, who?: string) =>
      `${mark} anything larger needs approval${who ? ` from ${who}` : ''}`,
  ],
  // Approval asked for in everyday words: "are to be checked by someone before they run",
  // "should go past a person first", "gets held for review", "is to be signed off by Oscar".
  [
    /\b(?:is|are) to be (?:signed off|approved|okayed|ok'd|cleared) by (.{2,40}?)(?= before\b|\s?[,;]|\s*$)/g,
    'need approval from $1',
  ],
  [
    /\b(?:is|are) to be (?:checked|reviewed|looked at|approved|signed off|okayed) by (?:someone|somebody|a (?:human|person))\b(?! (?:in|from|on|of)\b)/g,
    'need approval',
  ],
  [
    /\b(?:should|must) (?:go past|go through|be checked by|be seen by) (?:a (?:human|person)|someone|somebody)(?! (?:in|from|on|of)\b)(?: first)?\b/g,
    'need approval',
  ],
  [/\b(?:gets?|get|are|is) held for (?:review|approval|sign-?off)\b/g, 'need approval'],
  [
    /\b(?:should|must) wait for (two|three|\d) (?:people|persons|approvers) to (?:approve|sign off on|ok) (?:it|them)\b/g,
    'need $1 approvals',
  ],
  [/\bshould need\b/g, 'need'],
  // "without someone saying yes first", "without a person checking it first": without approval.
  [
    /\bwithout (?:someone|somebody|a (?:human|person)) (?:saying yes|signing off|approving|checking|reviewing|okaying)(?: (?:it|them))?(?: first)?\b/g,
    'without approval',
  ],
  // "Carol needs to look at it before it's sent", "somebody has to approve it": it needs their approval.
  [
    /(^|[,;] )(?:then )?(someone|somebody|a (?:human|person)) (?:needs to|has to|must) (?:look at|check|approve|ok|okay|sign off on) (?:it|them)(?: first| before (?:it's|it is|they're|they are) sent| before (?:it|they) (?:runs?|goes out|go out))?(?=\s?[,;]|\s*$)/g,
    '$1it needs approval',
  ],
  [
    /(^|[,;] )(?:then )?([a-z]+|someone (?:in|from) (?:the )?[a-z]+(?: group| team)?) (?:needs to|has to|must) (?:look at|check|approve|ok|okay|sign off on) (?:it|them)(?: first| before (?:it's|it is|they're|they are) sent| before (?:it|they) (?:runs?|goes out|go out))?(?=\s?[,;]|\s*$)/g,
    '$1it needs approval from $2',
  ],
  // "is kept out of production, apart from read-only queries": may not touch it, except those.
  [/\b(?:is|are) (?:kept|locked) out of\b/g, 'may not touch'],
  [/,? (?:apart from|other than) read-only (queries|reads|lookups)\b/g, ', except $1'],
  // "before the finance bot gets the finance report": a report one gets is pulled.
  [
    /\b(get|gets|getting) (the |a |any )?((?:[a-z]+ )?reports?)\b/g,
    (_: string, verb: string, det = '', report: string) =>
      `${verb === 'get' ? 'pull' : verb === 'gets' ? 'pulls' : 'pulling'} ${det}${report}`,
  ],
  // "We shouldn't be paying accounts that show up in incoming mail": nobody may, and a value that
  // shows up in mail came from it.
  [/^ we (?:should|must) not be (?=[a-z]+ing\b)/, ' nobody may be '],
  [/\b(that|which) (?:show|turn) up in (?:incoming |inbound )?/g, '$1 came from '],
  // "While the freeze is on, hold off on orders database deletions too": no such calls then.
  [/(^|, )hold off on ([a-z -]{2,40}?)(?: too| as well)?\s*$/, '$1no $2 '],
  // "someone from finance": someone in the finance group.
  [/\b(someone|somebody|(?:two|three|\d) people) from (?!the\b)([a-z]+)\b/g, '$1 in $2'],
  // Counts: "we only want one payment per day going out of the finance bot": at most that many
  // of those calls per period, for that agent.
  [
    new RegExp(
      String.raw`^ (?:i|we) only want (\d+|one|two|three|five|ten) ([a-z ]{2,30}?) (?:a|an|per|each) (day|hour|minute) (?:going out of|from|by|out of) (${SUBJECT})\s*$`,
    ),
    ' at most $1 $2 per $3 for $4 ',
  ],
  // "No deletes, no outside email, no payments": a list of prohibitions, each a statement.
  [
    /^ no ([a-z -]{2,30}?), no ([a-z -]{2,30}?)(?:,? (?:and |or )?no ([a-z -]{2,30}?))?\s*$/,
    (_: string, a: string, b: string, c?: string) => ` no ${a} ; no ${b} ${c ? `; no ${c} ` : ''}`,
  ],
  // "…, and the sandbox is left as is": what the rule leaves alone adds no rule.
  [/,? and (?:the )?[a-z -]{2,30}? (?:is|are) left (?:as (?:it )?is|alone|untouched)\s*$/, ''],
  // "sending a reply", "reply to anything": a reply is a message sent.
  [/\breply to (anything|anyone|anybody|everything)\b/g, 'send $1'],
  [/\b(send|sending|sends) an? repl(?:y|ies)\b/g, '$1 anything'],
  // "except when it's only going to example.com people": except mail to that domain.
  [
    /\bexcept when (?:it's|it is|they're|they are) only (?:going|sent|addressed) to ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) (?:people|addresses|recipients|folks|colleagues)\b/g,
    'except to $1',
  ],
  // "While the assistant is triaging the inbox, it …", "If the agent said it's triaging the inbox,
  // it has no business …": the task said as doing it (the grammar reads "while triaging the
  // inbox" when an intent is named for it) is the condition, and the agent the subject.
  [
    new RegExp(
      String.raw`^ (?:while|when) (${SUBJECT}) is ([a-z]+ing (?:the )?[a-z]+) ?,? it (?=(?:should|must|may|can)\b)`,
    ),
    ' while $2 , $1 ',
  ],
  [
    /^ (?:if|when|once) (?:the|an|any) agent (?:said|says|has said|declared|declares|has declared) (?:that )?(?:it's|it is) ([a-z]+ing (?:the )?[a-z]+) ?,? it has no business (?=[a-z]+ing\b)/,
    ' while $1 , nobody may be ',
  ],
  // "unless the agent is doing inbox triage", "unless the session's intent is X": outside that
  // intent; "when X is the declared intent": during it. A name no intent has is refused after.
  [
    /\bunless (?:the (?:agent|assistant|bot|session)(?:'s)? (?:is|are) (?:doing|running|in|on)|(?:the )?(?:session's |agent's |declared )+intent is|(?:it|they) (?:is|are) doing) (?=[a-z])/g,
    'outside ',
  ],
  [
    /\b(?:when|while|whenever|if) ([a-z][a-z -]{2,30}?) is the (?:declared |session's |current )?intent\b/g,
    'during $1',
  ],
  // "sending any reply": a reply is mail sent.
  [
    /\b(send|sends|sending) (?:(any) |a |the )?(?:replies|reply)\b/g,
    (_: string, verb: string, any?: string) => `${verb} ${any ? 'any ' : ''}email`,
  ],
  // "may not issue queries to the orders database": may not query it.
  [
    /\b(may|must|can|should)( not)? (?:issue|run|submit|send|make) queries (?:to|against|on)\b/g,
    '$1$2 query',
  ],
  // "When the session is about inbox triage": during it.
  [/\b(?:when|while|if) (?:the|a) session is (?:about|for) /g, 'during '],
  // Sessions: "once the session has picked up untrusted content", "in a session that's been
  // exposed to untrusted content", "in an untrusted session": the label the session carries.
  [
    /\b(?:once|after|when|if|where) (?:a|the) session has (?:picked up|touched|seen|ingested|pulled in|taken in|been exposed to|handled|read) (untrusted|confidential) (?:content|data|information|material)\b/g,
    'in a session labelled $1',
  ],
  [
    /\bin (?:a|the) session (?:that's|that has|which has) (?:been exposed to|picked up|touched|seen|ingested|handled) (untrusted|confidential) (?:content|data|information|material)\b/g,
    'in a session labelled $1',
  ],
  [/\bin an? (untrusted|confidential) session\b/g, 'in a session labelled $1'],
  [
    /^ (untrusted|confidential) sessions (should|must|may) not be (?=[a-z]+ing\b)/,
    ' in a session labelled $1 , nobody may be ',
  ],
  // "Once an agent has handled confidential information within a session, it may not thereafter
  // send email in that session": the label the session carries; "thereafter" and "in that
  // session" restate it. Only an agent the sentence does not name: a named one would scope the rule.
  [
    /\b(?:once|after|when|if) (?:an|any|the) agent has (?:handled|accessed|seen|read|consulted|touched|been exposed to) (untrusted|confidential) (?:content|data|information|material) (?:with)?in (?:a|the|its) session\b/g,
    'in a session labelled $1',
  ],
  [
    /(\bsession labelled [a-z]+ ?, it (?:should|must|may|shall) not) (?:thereafter|subsequently|afterwards) /g,
    '$1 ',
  ],
  [
    /(\bsession labelled [a-z]+ ?, it (?:should|must|may|shall) not [a-z ]{2,40}?) in (?:that|the same) session\s*$/g,
    '$1 ',
  ],
  // "…, it shouldn't be sending emails": "it" is the session, which is its agents'.
  [/\b(session labelled [a-z]+) , it (should|must|may) not\b/g, '$1 , agents $2 not'],
  [/\b(send|sends|sending) ((?:e-?)?mails?|emails?|messages?) out\b/g, '$1 $2'],
  // "Deleting from X is something only a person in finance can okay": it needs their approval.
  [
    /\b(?:is|are) (?:something|an action|a thing) only (.{2,40}?) (?:can|may|should|gets to) (?:okay|ok|approve|sign off on|sign off)\b/g,
    'needs approval from $1',
  ],
  [/\ba (?:person|human|member) (in|from) (?!the\b)(?=[a-z]+\b)/g, 'someone $1 '],
  // Everyday nouns and verbs of what the grammar reads: "deleting things", "looked at".
  [/\b([a-z]+ing) things\b/g, '$1 anything'],
  [/\b(can|may) be looked at\b/g, '$1 be read'],
  // "The agents are welcome to read things; read-only access is fine": they may read anything.
  [/\b(?:is|are) (?:more than |perfectly )?welcome to\b/g, 'may'],
  [/\b(may|can) (read|query|list|look up) things\b/g, '$1 $2 anything'],
  [/\bread-only (?:access|operations|calls) (?:is|are) (fine|ok|okay|allowed|permitted)\b/g, 'reads are $1'],
  [/,? (?:as it is|as is|as they are)(?=\s?[,;]|\s*$)/g, ''],
  [/^ treat (.{3,40}?) as read-only\s*$/, ' $1 is read-only '],
  [/\b(?:should|must|can|may) only go out\b/g, 'may only be made'],
  // "before 6 in the morning UTC": that hour of the clock; "at night, say between …": the hours said.
  [
    /\b(before|after|until) (\d{1,2}) in the morning\b/g,
    // "12 in the morning" could be noon or midnight: left for the grammar to refuse.
    (m: string, w: string, h: string) =>
      Number(h) >= 1 && Number(h) <= 11 ? `${w} ${h.padStart(2, '0')}:00` : m,
  ],
  [/\s(?:at night|overnight|in the evening),? (?:say|i\.e\.|that is|namely),? (?=between\b)/g, ' '],
  // "Saturdays are off limits for the ops bot": it may do nothing then.
  [
    new RegExp(
      String.raw`^ (saturdays|sundays|weekends|weekdays) are (?:off limits|off-limits|a no-go) for (${SUBJECT})\s*$`,
    ),
    ' $2 may not do anything on $1 ',
  ],
  // "…, and any transfer above that sum is forbidden": what is larger than the clause before allows.
  [
    /([;,] (?:and |but )?)(?:any|every) (?:transfers?|payments?|amounts?|one) (?:above|over|exceeding|beyond|larger than|greater than) (?:(?:that|this)(?: (?:sum|amount|figure|limit|cap))?|the (?:sum|amount|figure|limit|cap))\b/g,
    '$1anything larger',
  ],
  // Amounts: "that's no less than", "that's more than".
  [/\b(?:that's|that is|which is) (?:no less than|not less than|at least)\b/g, 'of at least'],
  [/\b(?:that's|that is|which is) (?:more than|over|above)\b/g, 'over'],
];

/** Applies the requirement rewrites to a lower-cased, space-padded sentence. */
export function normalizeRequirements(s: string): string {
  let out = s;
  for (const [re, to] of REQUIREMENT_WORDS)
    out = typeof to === 'string' ? out.replace(re, to) : out.replace(re, to);
  return out;
}
