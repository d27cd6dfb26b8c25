/**
 * Rewrites for families of phrasing that writers new to the grammar use (issue 18, round 6), run
 * after the spelling rewrites of normalize.ts, so they see one spelling: figures for number
 * words, "ok" for "okay", `between A and B` for a clock range, " , " and " ; " spaced. Each turns
 * a construction, not a sentence, into the one the grammar reads, and keeps its meaning: where
 * the construction is unsure, it is left alone for the grammar to refuse.
 */
const APPROVE_VERB = '(?:ok|approve|authori[sz]e|confirm|sign off on|clear)';

export const FAMILY_WORDS: readonly [RegExp, string][] = [
  // Approval vocabulary. "Dual authorization", "two-person sign-off", "four-eyes approval": two.
  [
    /\b(?:dual|two-person|two-party|two-man|four-eyes|4-eyes) (?:authori[sz]ation|approval|sign-?off|sign off|review)s?\b/g,
    '2 approvals',
  ],
  [/\b(?:a |the )?(?:dual|double) (?:authori[sz]ation|sign-?off)\b/g, '2 approvals'],
  [/\b(?:a )?couple of approvals\b/g, '2 approvals'],
  [/\bauthori[sz]ed by\b/g, 'approved by'],
  [/\b(?:authori[sz]ation|consent|clearance) (from|by|of)\b/g, 'approval $1'],
  // "by both members of the finance group": every member, which a group of two is twice.
  [/\b(by|from) both members of (?:the )?([a-z]+)(?: group| team)?\b/g, '$1 2 members of $2'],
  [
    /\b(\d) (?:approvers|people|persons) (?:in|from|of) (?:the )?([a-z]+)(?: group| team)?\b/g,
    '$1 members of $2',
  ],
  [/\b(\d) approvers\b/g, '$1 approvals'],
  // "Three approvals are needed before the ops agent deletes anything": the deletes need them.
  [
    /^ ((?:\d|an?|one|two|three|four) (?:human )?approvals?(?: from [a-z@. -]{1,40}?)?) (?:is|are) (?:needed|required|mandatory|necessary) (?:before|for|on) ([^;,]+)/,
    ' $2 needs $1',
  ],
  // "A single approver from finance must okay each query …": each query needs that approval.
  [
    new RegExp(
      `^ (?:a single|one|an?|(\\d)) approvers? (from|in|of) (.{2,40}?) (?:must|has to|needs to|should|shall) ${APPROVE_VERB} (.+)$`,
    ),
    ' $4 needs $1 approval from $3',
  ],
  // "must be escalated (to a human) (for approval)", "referred to a person for approval".
  [
    /\b(?:must|should|shall|has to|have to|will) be (?:escalated|referred|sent|routed|passed|forwarded) (?:to (?:a |an? )?(?:human|person|reviewer|approver|someone)s? )?(?:for (?:human |manual )?(?:approval|review|sign-?off))?(?=\s[;,]|\s*$)/g,
    'needs human approval',
  ],
  [/\brequire (?:a )?human (?:sign-?off|review|approval)\b/g, 'require human approval'],
  [/\bhuman sign-?off\b/g, 'human approval'],
  // "needs a human to okay it (first)", "has to be confirmed by a human first".
  [
    new RegExp(
      `\\b(needs?|requires?) (?:a human|a person|someone) to ${APPROVE_VERB}(?: it| them)?(?: first)?\\b`,
      'g',
    ),
    '$1 human approval',
  ],
  [
    new RegExp(
      `^ (?:a human|a person|someone) (?:has to|must|needs to|should) ${APPROVE_VERB} ((?:every|each|all|any) [^;,]+)`,
    ),
    ' $1 needs human approval',
  ],
  // "Both members of finance have to authorize each payment": two of them.
  [
    new RegExp(
      `^ (?:both|the two) (?:members|people|approvers) (?:of|in|from) (?:the )?([a-z]+)(?: group| team)? (?:must|have to|need to|should) ${APPROVE_VERB} ([^;,]+)`,
    ),
    ' $2 needs 2 approvals from $1',
  ],
  [
    /\b(?:has|have|must|needs? to) (?:to )?be confirmed by (?:a human|a person|someone)(?: first)?\b/g,
    'needs human approval',
  ],
  // A person who must approve, said first: "carol@example.com must approve any transfer".
  [
    new RegExp(
      `^ ([a-z0-9._-]+@[a-z0-9.-]+\\.[a-z]{2,}) (?:must|has to|needs to|should|shall) ${APPROVE_VERB} ([^;,]+)`,
    ),
    ' $2 needs approval from $1',
  ],
  [/\b(?:the )?approval of ([a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,})/g, 'approval from $1'],
  // "forbidden unless approved by two members of finance": what the approval lets through is asked.
  [
    /\b(?:are|is) (?:forbidden|blocked|denied|prohibited|not allowed) unless (?:approved|okayed|authori[sz]ed|signed off) by\b/g,
    'need approval from',
  ],
  [
    /\b(?:above|over|beyond) that,? (?:it|they) (?:must|should|has to|have to|needs? to) (?:ask|get approval)\b/g,
    'anything above that needs approval',
  ],
  [/\bshall not\b/g, 'may not'],
  [/\bshall\b/g, 'must'],
  // Permissions: what may happen "freely", "without restriction", "at will", "on its own".
  [
    /\b(?:without (?:any )?(?:restriction|restrictions|limits?|limitation)|at will|on (?:its|their) own|by (?:itself|themselves))\b/g,
    '',
  ],
  [/\b(?:may|can) (?:proceed|go ahead|go through)(?: automatically| without approval)?\b/g, 'can go through'],
  [/\b(is|are) unrestricted\b/g, '$1 fine'],
  // Actions in other words: money moved, funds transferred; a message opened is one read.
  [/\b(?:fund|funds|money|wire|bank) transfers\b/g, 'transfers'],
  [/\b(?:fund|funds|money|wire|bank) transfer\b/g, 'transfer'],
  [/\b(send|sends|sending|sent|move|moves|moving|moved) (?:money|funds)\b/g, 'transfer money'],
  [
    /\b(?:money|funds) (may|can|must)( only)? be (?:sent|paid|moved|transferred)( only)? to\b/g,
    'transfers $1$2$3 go to',
  ],
  [
    /\bno (?:money|funds) (?:may|can|shall|must) be (?:moved|sent|transferred|paid out)\b/g,
    'no transfers may be made',
  ],
  [
    /\b(read|reading|reads|open|opening|opens) (?:an? |one |each |any )?(?:individual |single )?message\b/g,
    '$1 email',
  ],
  // "don't let anyone wipe stuff … without checking with a human first": no agent may, unasked.
  [
    /(^ |, )(?:do not|don't|never) (?:let|allow) (?:anyone|anybody|any agent|agents|an agent|the agents) /g,
    '$1no agent may ',
  ],
  [/\b((?:wipe|delete|erase|remove|purge|clear)s?) (?:any )?(?:stuff|things)\b/g, '$1'],
  [
    /\bwithout (?:first )?(?:checking with|asking|consulting|clearing it with) (?:a human|someone|a person|an approver)(?: first)?\b/g,
    'without approval',
  ],
  // "must get a human's okay before emailing …": emailing … needs that approval.
  [
    /\b(?:must|has to|should) (?:get|obtain|have) (?:a |the )?(?:human's|person's|human|manual) (?:ok|approval|sign-?off) (?:before|for) (?=[a-z]+ing\b)/g,
    'needs human approval for ',
  ],
  // "operations on resources in the staging environment": anything there.
  [
    /\b(?:all |any )?(?:operations|actions|calls|tool calls) (?:on|against|touching) (?:resources|systems|anything) in\b/g,
    'anything in',
  ],
  // "unless the payee came from the user": unless the user gave it.
  [
    /\bunless the (payee|recipient|account|address) (?:came|comes|was taken) from the user\b/g,
    'unless the user gave the $1',
  ],
  [
    /^ (.{3,60}?) to (?:accounts|payees) (?:that were |that are )?not (?:provided|given|supplied|entered|typed(?: in)?) by the user (?:are|is) (denied|blocked|forbidden|prohibited)\b/,
    ' $1 are $2 unless the user gave the account',
  ],
  // "Requests to move $1k+ require Carol's (carol@example.com) approval": transfers of $1k or more.
  [
    /\b(?:requests|attempts) to (?:move|transfer|send|wire) (?:money |funds )?(?=(?:of )?[$€£]?\d)/g,
    'transfers of ',
  ],
  [/([$€£]\s?\d[\d,.]*\s?k?)\+/g, '$1 or more'],
  [/\b([a-z]+)'s \((\1@[a-z0-9.-]+\.[a-z]{2,})\)/g, "$2's"],
  // "Tools that are in the frozen state": calls made while it holds.
  [
    /\b(?:tools?|anything) (?:that (?:is|are) |which (?:is|are) )?in (?:the |a )?frozen state\b/g,
    'anything while frozen',
  ],
  // Subjects: "an AI agent" is an agent; "by anyone" is by any agent.
  [/\b(an?|any|no|every) ai (agent|assistant)\b/g, '$1 $2'],
  [/\bai agents\b/g, 'agents'],
  [/\bby (?:anyone|anybody|any ai agent)\b/g, 'by any agent'],
  // Domains: "outside the company domain", "leaving the company", "not at example.com".
  [
    /\boutside (?:of )?the (?:company|corporate|organi[sz]ation's|organi[sz]ation) domains?\b/g,
    'outside the company',
  ],
  [
    /\b(?:leaving|that leaves?|going outside) the (?:company|organi[sz]ation)(?: domain)?\b/g,
    'to addresses outside the company',
  ],
  [/\b(?:going|that goes?) to (?:an? )?(?:outside|external) domains?\b/g, 'to addresses outside the company'],
  [
    /\b(?:anyone|someone|anybody|people|recipients|an address) (?:who is|that is|who are|that are)? ?not at ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})\b/g,
    'addresses outside $1',
  ],
  [/\bcompany-internal\b/g, 'internal'],
  [/\bcompany-email to colleagues\b/g, 'internal email'],
  [
    /^ if (?:even )?(?:one|any|a single|at least one) recipient is (?:external|outside the company)\s?,\s?(?:the |an? )?(emails?|messages?) /,
    ' $1 to external recipients ',
  ],
  [/\bwhen every recipient is an? ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}) address\b/g, 'to $1 addresses'],
  // Hours: "outside 08:00-18:00 UTC", "outside of 07:00 to 19:00": outside that window.
  [/\boutside\s+(?:of\s+)?(?:the hours\s+)?between\b/g, 'outside the window between'],
  [
    /\boutside (?:of )?(?:the hours )?(\d{1,2}(?::\d{2})?\s?(?:am|pm)?) (?:to|until|till|and) (\d{1,2}(?::\d{2})?\s?(?:am|pm)?)\b/g,
    'outside the window between $1 and $2',
  ],
  // "after 18:00 UTC and before midnight": the hours from one to the end of the day.
  [/\bafter (\d{1,2}:\d{2}) (utc )?and before 12am\b/g, 'between $1 and 24:00 $2'],
  // Categories said as such: "tools in the delete category", "anything categorized as delete",
  // "tools whose category is X": the grammar's "the X category tools". The category's own name
  // keeps its underscore, so "external" in it is not read as outside recipients.
  [
    /\b(?:tools?|anything) (?:in|from|of|under) the ([a-z_]+(?: communication)?) category\b/g,
    'the $1 category tools',
  ],
  [
    /\b(?:tools?|anything) (?:that (?:is|are) |which (?:is|are) )?categori[sz]ed as ([a-z_]+(?: communication)?)\b/g,
    'the $1 category tools',
  ],
  [/\btools? whose category is ([a-z_]+(?: communication)?)\b/g, 'the $1 category tools'],
  [/\bexternal communication (category|tools?)\b/g, 'external_communication category $1'],
  [/\bcategory category\b/g, 'category'],
  // Intents: "whenever the declared intent is X", "while triaging the inbox".
  [
    /\b(?:whenever|when|while|if) (?:the user (?:said|says|declared|declares|stated|states) (?:that )?)?(?:the )?(?:declared |session's |session |stated )?(?:intent|task) is ([a-z][a-z0-9_-]*)\b/g,
    'during $1',
  ],
  // "the tools that task covers": the declared task is the session's intent.
  [
    /\b(that|this|the|its) (?:declared )?task (lists|allows|permits|declares|names|covers)\b/g,
    '$1 intent $2',
  ],
  [/\b(?:while|when) triaging (?:the )?inbox\b/g, 'during inbox-triage'],
  // "must not act under X": to act at all is any call, but "act on" names an object.
  [/\b(not|never|cannot) act\b(?! (?:on|upon|for|as)\b)/g, '$1 do anything'],
  // "while an agent is doing X": any agent is no agent in particular, so only the doing is kept.
  [/\b(while|when) (?:an?|any) agents? (?:is|are) (?=doing |working on |performing |handling )/g, '$1 '],
  [/\b(?:during|in) (?:an? |the )?inbox triage\b/g, 'during inbox-triage'],
  [/\bin (?:an? |the )?(?!injection-)([a-z]+-[a-z]+) sessions?\b/g, 'during $1'],
  // Provenance: "typed in by the user", "user-provided", "sourced from", "read out of".
  [
    /\b(accounts?|account numbers|addresses|payees|recipients) (?:typed(?: in)?|entered|provided|supplied|given) by the user\b/g,
    '$1 the user gave',
  ],
  [
    /\buser-(?:provided|supplied|given|entered) (accounts?|addresses|payees|recipients)\b/g,
    '$1 the user gave',
  ],
  [/\baccount numbers\b/g, 'accounts'],
  [/(?<!\b(?:was|were|is|are|been) )\b(?:sourced|obtained|retrieved) from\b/g, 'that came from'],
  [/\b(?:that )?(?:was|were) read out of\b/g, 'that came from'],
];
