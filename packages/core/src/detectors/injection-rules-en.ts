import { type InjectionRule, NOT_A_SCHEMA, rule, SEP, words } from './injection-rule.js';
import { MARKER_RULES } from './injection-rules-markers.js';

/**
 * English rules, and the structural ones that do not depend on a language
 * (chat-template tokens, role markers, tool-call syntax). Weights: 0.8 and up
 * for phrasings that have almost no honest use in a tool's output; 0.3–0.5
 * for phrasings honest text also uses (they flag only together with more).
 */

const AI_STRONG =
  '(?:ai|a\\.i\\.|llm|llms|language model|large language model|chatbot|gpt|chatgpt|claude|gemini|copilot|ai assistant|ai agent|ai model|ai system|virtual assistant|autonomous agent)';
const AI_WEAK = '(?:assistant|agent|model|bot)';
const PRIOR =
  '(?:previous|prior|above|earlier|preceding|former|original|initial|old|existing|all|any|your|the|these|those)';
const ORDERS =
  '(?:instructions?|directions?|directives?|rules|prompts?|guidelines|commands?|orders|guidance|constraints|context|programming|messages|tasks?|policies|restrictions)';
const IGNORE_VERBS =
  '(?:ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|bypass|discard|abandon|neglect|set aside|skip|drop)';
// Stems, so that "ignoring" and "overriding" pass the prefilter too.
const ENGLISH_IGNORE_TRIGGERS = [
  'ignor',
  'disregard',
  'forget',
  'overrid',
  'bypass',
  'discard',
  'abandon',
  'neglect',
  'set aside',
  'skip',
  'drop',
];

const en = (...args: Parameters<typeof rule> extends [string, ...infer R] ? R : never) => rule('en', ...args);
const any = (...args: Parameters<typeof rule> extends [string, ...infer R] ? R : never) => rule('*', ...args);

export const ENGLISH_RULES: readonly InjectionRule[] = [
  en(
    'context-ignoring',
    'ignore-previous',
    0.9,
    'tells the reader to ignore its previous instructions',
    ENGLISH_IGNORE_TRIGGERS,
    // "Disregard my previous instructions" is a person correcting themselves, not an attack on the reader.
    `\\b${IGNORE_VERBS}(?!${SEP}(?:my|our)\\b)${SEP}${words(3)}${PRIOR}${SEP}${words(2)}${ORDERS}\\b`,
  ),
  en(
    'context-ignoring',
    'ignore-everything',
    0.75,
    'tells the reader to ignore everything before it',
    ENGLISH_IGNORE_TRIGGERS,
    `\\b${IGNORE_VERBS}${SEP}(?:everything|all|anything|whatever)${SEP}${words(3)}(?:above|before|prior|previously|so far|until now|earlier|you were told|you have been told|you've been told)`,
  ),
  en(
    'context-ignoring',
    'ignore-the-above',
    0.75,
    'tells the reader to ignore what came before (Perez & Ribeiro 2022)',
    ENGLISH_IGNORE_TRIGGERS,
    `\\b${IGNORE_VERBS}${SEP}(?:the${SEP}|all${SEP})?(?:above|previous|preceding|foregoing|prior)\\s{0,2}(?:and|,|;|\\.|then|instead)`,
  ),
  // Below the flag alone: "stop what you are doing" is a fire drill's first step too; an attack goes on to an order.
  en(
    'context-ignoring',
    'stop-task',
    0.45,
    'tells the reader to abandon its current task',
    ['stop', 'cease', 'abort', 'halt'],
    `\\b(?:stop|cease|abort|halt)${SEP}(?:what you are doing|what you're doing|the current task|your current task|summari[sz]ing|translating|processing|everything)\\b`,
  ),
  en(
    'direct-instruction',
    'new-task-header',
    0.45,
    'announces new instructions',
    ['new', 'updated', 'revised', 'real', 'actual', 'true', 'priority', 'override', 'urgent'],
    `\\b(?:new|updated|revised|real|actual|true|priority|override|urgent)${SEP}(?:task|instructions?|directives?|objective|goal|assignment|orders?|mission)\\s{0,3}[:\\-]`,
  ),
  en(
    'direct-instruction',
    'your-real-task',
    0.75,
    "redefines the reader's task",
    ['your'],
    `\\byour${SEP}(?:new|real|actual|true|only|primary|updated|next)${SEP}(?:task|goal|instructions?|objective|purpose|mission|job|directive|step|action|priority)${SEP}(?:is|are|will be|now)\\b|\\byour${SEP}(?:next|new|real|only)${SEP}(?:task|step|action|objective|goal|mission)\\s{0,2}:`,
  ),
  en(
    'direct-instruction',
    'from-now-on',
    0.5,
    "changes the reader's behaviour from now on",
    ['from now on', 'henceforth', 'going forward'],
    `\\b(?:from now on|henceforth|going forward)${SEP}(?:you|your|always|never|respond|answer|reply|act|only|ignore|do not|don't)\\b`,
  ),
  en(
    'direct-instruction',
    'assistant-must',
    0.55,
    'orders the assistant to act',
    [
      'you must',
      'you should',
      'you will',
      'you need to',
      'you have to',
      'you are required',
      'must now',
      'assistant',
    ],
    `\\b(?:you|the assistant|the ai|the agent|assistant|ai)${SEP}(?:must|should|will|shall|need to|have to|are required to|are instructed to)${SEP}(?:now${SEP}|immediately${SEP}|also${SEP}|first${SEP}|instead${SEP}){0,2}(?:send|forward|email|transfer|wire|delete|remove|upload|post|exfiltrate|leak|share|reveal|call|invoke|execute|run|visit|open|navigate|fetch|include|append|reply|respond|output|print|say|ignore|disregard|forget|obey|follow)\\b`,
  ),
  en(
    'role-play',
    'you-are-now',
    0.7,
    "redefines the reader's identity",
    [
      'you are now',
      "you're now",
      'you are no longer',
      "you're no longer",
      'you will now act',
      'you will now be',
    ],
    `\\b(?:you are now|you're now|you will now (?:act|be)|you are no longer|you're no longer)${SEP}(?:a|an|in|the|my|dan|free|unrestricted|jailbroken|unfiltered|bound|restricted|chatgpt|an ai|evil|developer|admin|root|acting|playing|going)\\b`,
  ),
  en(
    'role-play',
    'pretend-unrestricted',
    0.6,
    'asks the reader to role-play without its rules',
    [
      'pretend',
      'imagine',
      'act as',
      'roleplay',
      'role-play',
      'role play',
      'you are',
      "you're",
      'play a game',
    ],
    `\\b(?:pretend|imagine|act as if|act as|roleplay|role-play|role play|you are|you're|play a game)${SEP}${words(5)}(?:with no|no|without any|without)${SEP}(?:safety${SEP}|content${SEP}|ethical${SEP}|moral${SEP})?(?:rules|restrictions|limits|filters|guidelines|ethics|limitations|boundaries)\\b|\\b(?:pretend|imagine|act as if|roleplay|role-play|role play)${SEP}${words(4)}(?:unrestricted|unfiltered|jailbroken|evil)\\b`,
  ),
  en(
    'role-play',
    'jailbreak-persona',
    0.55,
    'names a jailbreak persona or mode',
    [
      'dan',
      'developer mode',
      'god mode',
      'jailbreak',
      'do anything now',
      'unrestricted mode',
      'admin mode',
      'debug mode',
    ],
    `\\b(?:do anything now|developer mode|god mode|jailbreak mode|unrestricted mode|admin mode|debug mode)${SEP}(?:enabled|activated|on|engaged)\\b|\\byou are dan\\b|\\bdan mode\\b`,
  ),
  en(
    'addressing-ai',
    'message-for-ai',
    0.75,
    'addresses an AI reading the text',
    ['message', 'instruction', 'note', 'notice', 'attention', 'reminder', 'memo', 'directive', 'information'],
    `\\b(?:important${SEP}|urgent${SEP}|special${SEP}|critical${SEP})?(?:message|instructions?|note|notice|attention|reminder|memo|directive|information|update)${SEP}(?:for|to)${SEP}(?:the${SEP}|any${SEP}|all${SEP}|every${SEP})?${AI_STRONG}s?\\b`,
  ),
  en(
    'addressing-ai',
    'message-for-assistant',
    0.4,
    'addresses an assistant or agent reading the text',
    ['important', 'message for', 'instructions for', 'note to', 'note for', 'attention'],
    `\\b(?:important${SEP})(?:message|instructions?|note|notice|information|update)${SEP}(?:for|to)${SEP}(?:the${SEP}|any${SEP}|all${SEP})?${AI_WEAK}s?\\b`,
  ),
  en(
    'addressing-ai',
    'if-you-are-ai',
    0.75,
    'speaks to the reader as an AI',
    ['if you are', "if you're", 'when you are', 'as an ai', 'as a language model'],
    `\\b(?:if|when|since|because)${SEP}you(?: are|'re)${SEP}(?:an?${SEP}|the${SEP})?(?:${AI_STRONG}|automated (?:system|agent|assistant)|bot|robot)\\b|\\b(?:if|when)${SEP}you(?: are|'re)${SEP}(?:an?|the)${SEP}${AI_WEAK}${SEP}(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|handling)\\b`,
  ),
  en(
    'addressing-ai',
    'ai-reading-this',
    0.7,
    'speaks to an AI processing the text',
    [
      'reading this',
      'processing this',
      'summarizing this',
      'summarising this',
      'parsing this',
      'analyzing this',
      'analysing this',
      'handling this',
    ],
    `\\b(?:${AI_STRONG}|${AI_WEAK})s?${SEP}(?:that is${SEP}|who is${SEP}|which is${SEP}|currently${SEP})?(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|handling|scanning|ingesting)${SEP}this\\b`,
  ),
  en(
    'addressing-ai',
    'dear-ai',
    0.55,
    'greets an AI',
    ['dear', 'hey', 'hello', 'hi', 'attention', 'attn', 'to the', 'note to'],
    `\\b(?:dear|hey|hello|hi|attention|attn|note to|to the|to any)${SEP}(?:the${SEP})?${AI_STRONG}\\b\\W{0,3}[,:!]`,
  ),
  en(
    'concealment',
    'hide-from-user',
    0.65,
    'asks to keep an action from the user',
    ['tell', 'inform', 'notify', 'alert', 'mention', 'reveal', 'let', 'ask', 'without', 'user', 'know'],
    `\\b(?:do not|don't|dont|never|without|must not|should not|shouldn't|no need to)${SEP}(?:tell|telling|inform|informing|notify|notifying|alert|alerting|mention|mentioning|reveal|revealing|let|letting|ask|asking|asking for|warn|warning|show|showing|confirm|confirming with)${SEP}(?:it${SEP}to${SEP}|this${SEP}to${SEP}|anything${SEP}to${SEP})?(?:the|your|this|any)${SEP}(?:user|human|operator|owner|recipient|customer|person|end user|end-user)s?\\b|(?<=\\b(?:the|your)${SEP})(?:user|human)${SEP}(?:must|should|need) not${SEP}(?:know|see|find out|be told|be informed|notice)\\b`,
  ),
  en(
    'concealment',
    'covertly',
    0.45,
    'asks to act covertly',
    ['silently', 'secretly', 'quietly', 'covertly', 'discreetly', 'in the background', 'without a trace'],
    `\\b(?:silently|secretly|quietly|covertly|discreetly|in the background|without a trace)${SEP}${words(1)}(?:send|forward|email|copy|transfer|upload|delete|add|include|append|call|invoke|execute|run|bcc|cc|share|exfiltrate)\\b`,
  ),
  en(
    'prompt-leak',
    'reveal-system-prompt',
    0.8,
    'asks to reveal the system prompt',
    ['prompt', 'instructions', 'system message', 'developer message', 'configuration'],
    `(?<!\\b(?:not|never|n't|cannot|refuse to|won't)\\s{1,3})\\b(?:reveal|print|output|repeat|show|display|leak|dump|share|send|disclose|tell me|write out|recite|echo|include|append|paste|copy)${SEP}(?:me${SEP})?(?:your|the|its|all|any)${SEP}${words(2)}(?:system prompt|system message|initial instructions|hidden instructions|original instructions|instructions above|prompt above|developer message|pre-?prompt|confidential instructions|secret instructions)\\b`,
  ),
  en(
    'exfiltration',
    'send-secrets',
    0.5,
    'asks to send credentials or private data',
    [
      'send',
      'forward',
      'email',
      'post',
      'upload',
      'transmit',
      'exfiltrate',
      'leak',
      'share',
      'copy',
      'paste',
      'include',
      'append',
      'attach',
      'submit',
      'collect',
      'extract',
      'gather',
    ],
    // Not "send me the wifi password": a request for one's own data from whoever the message is for is how people
    // write to each other; sending secrets away needs a destination (send-to-address) or another reader. After an
    // article the verb is a noun ("a copy of passwords.docx is in the folder", "the post"): no order; nor is a verb
    // inside a path (".../files/collect"), or a secret that is where something goes ("paste the new key into your
    // .env"). A file named for secrets is still one ("attach passwords.zip").
    `(?<!\\b(?:not|never|n't|cannot|refuse to|won't|a|an|the)\\s{1,3}|[/.@_-])\\b(?:send|forward|email|post|upload|transmit|exfiltrate|leak|share|copy|paste|include|append|attach|submit|collect|extract|gather)${SEP}(?!(?:me|us)\\b)${words(5)}(?<!\\b(?:into|onto)${SEP}(?:(?:your|the|a|an|my)${SEP})?)(?:api keys?|passwords?|passcodes?|credentials|secret keys?|access tokens?|auth tokens?|private keys?|ssh keys?|session cookies|cookies|credit card numbers?|card numbers?|social security numbers?|chat history|conversation history|the conversation|this conversation|all (?:of )?(?:the |my |your |their )?(?:emails|messages|files|documents|contacts|notes|records)|the inbox|their inbox|environment variables|\\.env)\\b`,
  ),
  en(
    'exfiltration',
    'send-to-address',
    0.3,
    'asks to send data to an address or URL',
    ['send', 'forward', 'email', 'post', 'upload', 'transmit', 'exfiltrate', 'mail'],
    `\\b(?:send|forward|email|e-mail|mail|post|upload|transmit|exfiltrate)${SEP}${words(6)}(?:to|at|into)${SEP}(?:https?://|[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,100}\\.[a-z]{2,10})`,
  ),
  en(
    'exfiltration',
    'encode-in-url',
    0.55,
    'asks to put data into a URL',
    ['url', 'link', 'image', 'query', 'parameter'],
    `\\b(?:append|add|include|insert|encode|put|embed|place)(?:ing)?${SEP}${words(6)}(?:to|in|into|inside|as)${SEP}(?:the${SEP}|a${SEP}|this${SEP})?(?:url|link|image url|image|query string|query parameter|parameter|href)\\b`,
  ),
  en(
    'harmful-action',
    'transfer-money',
    0.35,
    'asks to move money',
    ['transfer', 'wire', 'send', 'pay', 'move'],
    `\\b(?:transfer|wire|send|pay|move)${SEP}(?:\\$|usd|eur|€|£)?\\s?\\d[\\d,.]{0,12}\\s?(?:k|usd|eur|euros?|dollars?|btc|bitcoin|€|\\$)?${SEP}${words(2)}(?:to|into)${SEP}(?:${words(2)}(?:account|iban|wallet|the following|this|address|beneficiary)|[a-z]{2}\\d{2}\\s?[a-z0-9]{4})`,
  ),
  en(
    'harmful-action',
    'delete-everything',
    0.4,
    'asks to delete data wholesale',
    ['delete', 'remove', 'erase', 'wipe', 'destroy', 'drop', 'purge'],
    `\\b(?:delete|remove|erase|wipe|destroy|drop|purge)${SEP}(?:all|every|the entire|the whole|any and all)${SEP}${words(2)}(?:files?|emails?|messages|records|data|databases?|repositor(?:y|ies)|backups|users|tables|contacts|history|logs|documents|events)\\b`,
  ),
  en(
    'harmful-action',
    'visit-url',
    0.15,
    'asks to open a URL',
    ['http'],
    `\\b(?:visit|open|navigate to|go to|browse to|fetch|load|click|curl|wget|request)${SEP}(?:the following${SEP}|this${SEP})?(?:url${SEP}|link${SEP}|website${SEP}|page${SEP}|endpoint${SEP})?:?\\s{0,3}<?https?://`,
  ),
  en(
    'tool-call-mimicry',
    'call-tool',
    0.4,
    'asks to call a tool or function',
    ['call', 'invoke', 'use', 'run', 'execute', 'trigger'],
    `\\b(?:call|invoke|use|run|execute|trigger)${SEP}(?:the${SEP})?[\`'"]?[a-z_][a-z0-9_.-]{1,40}[\`'"]?${SEP}(?:tool|function|plugin|action)\\b|\\b(?:call|invoke|execute|trigger)${SEP}(?:the${SEP})?(?:tool|function)${SEP}[\`'"]?[a-z_][a-z0-9_.-]{1,40}`,
  ),
  en(
    'fake-completion',
    'task-complete',
    0.5,
    'pretends the task is over and starts another',
    ['complete', 'done', 'finished', 'over'],
    `\\b(?:task|summary|summari[sz]ation|translation|analysis|job|request|work|document|review|previous task)${SEP}(?:is${SEP}|has been${SEP}|was${SEP})?(?:complete|completed|done|finished|over)\\s{0,2}[.!;,]{0,3}[\\s"'\\)\\]-]{0,6}(?:now|next|new|then|additionally|however|but now|your next)\\b`,
  ),
  en(
    'fake-completion',
    'end-of-input',
    0.3,
    'pretends the data has ended',
    ['end of'],
    `(?:^|\\n|[\\[(<#=*-]{1,6}\\s{0,2})end of (?:the )?(?:document|email|message|text|context|input|article|file|data|conversation|user input|content|prompt)\\b`,
  ),
  en(
    'fake-completion',
    'pwned',
    0.7,
    'asks for a canary phrase',
    ['pwned', 'hacked', 'been compromised'],
    `\\b(?:say|print|output|write|respond|reply|answer|type)${SEP}${words(3)}["'“]?i have been (?:pwned|hacked|compromised)|\\bi have been pwned\\b`,
  ),
  en(
    'fake-completion',
    'respond-only',
    0.35,
    'dictates the exact answer',
    ['respond', 'reply', 'answer', 'output', 'say', 'print', 'write'],
    `\\b(?:respond|reply|answer|output|say|print|write)${SEP}(?:only|just|exactly|nothing but|solely)${SEP}(?:with${SEP})?["'“\`]`,
  ),
  en(
    'obfuscation',
    'decode-and-follow',
    0.65,
    'asks to decode hidden text and act on it',
    [
      'decode',
      'decipher',
      'rot13',
      'base64',
      'deobfuscate',
      'decrypt',
      'reverse',
      'decoded',
      'hidden',
      'encoded',
      'embedded',
    ],
    `\\b(?:decode|decipher|rot-?13|base64|deobfuscate|decrypt|reverse)${SEP}${words(5)}(?:and|then)${SEP}(?:then${SEP})?(?:follow|execute|do|obey|run|perform|act on|carry out|comply)\\b|\\b(?:follow|execute|obey|carry out|comply with)${SEP}(?:the${SEP})?(?:decoded|hidden|encoded|embedded|secret|obfuscated)${SEP}(?:instructions?|text|message|commands?|directions?)\\b`,
  ),
  ...MARKER_RULES,
  en(
    'harmful-action',
    'redirect-recipient',
    0.35,
    'asks to change a recipient or account',
    ['recipient', 'destination', 'account', 'iban', 'wallet', 'bcc', 'beneficiary'],
    `\\b(?:change|replace|set|redirect|override|switch|update)${SEP}(?:the${SEP}|all${SEP})?(?:recipient|destination|to address|to-address|account number|iban|wallet address|beneficiary|bcc|payee)s?${SEP}(?:to|with|into)\\b`,
  ),
  en(
    'addressing-ai',
    'vocative-ai',
    0.6,
    'addresses an AI by name and gives it an order',
    ['assistant', 'agent', 'ai', 'bot', 'model', 'llm', 'copilot', 'gpt', 'claude'],
    `(?<=(?:^|\\n|[.!?:>"(]\\s{0,3})[\\s#/*-]{0,4}(?:dear${SEP}|hey${SEP}|attention${SEP})?(?:the${SEP})?)(?:ai|ai agent|ai assistant|assistant|agent|chatbot|llm|bot|model|copilot|gpt|claude)\\s{0,2}[,:]\\s{0,3}(?:please${SEP})?(?:you${SEP}(?:must|should|need to|will|have to)${SEP})?(?:now${SEP}|immediately${SEP})?(?:send|forward|email|transfer|wire|pay|append|add|include|invoke|call|run|execute|grant|delete|remove|ignore|disregard|forget|reply|respond|tell|share|upload|post|open|visit|export|create|reveal|print|list|do not|don't|stop|change|update|approve|escalate|disable)\\b`,
  ),
  en(
    'tool-call-mimicry',
    'call-tool-with-args',
    0.6,
    'asks to call a tool with given arguments, or a tool that acts on data',
    ['call', 'invoke', 'use', 'run', 'execute', 'trigger'],
    // "The assistant can now call the X tool with …" describes a feature; only the order is evidence. So does a
    // signature, its parameters named and not given ("call `create_payment(amount, currency, iban)`").
    // The modal covers both forms ("the model can call send_email, but only after …"), and "a tool call send_email
    // rejected" is a noun, not an order. Nor is a how-to's step after the goal it serves ("to add a user to a
    // channel, call add_user …"); an order that only refers back ("to do this, invoke …", "to complete the task,
    // use …") still is one. An HTTP method before a path ("use `DELETE /files/{id}` to remove a file") is an API's
    // documentation, not a tool to call.
    `(?<!\\b(?:can|could|may|might|will|would|to|tool|function)\\s{1,3}(?:now\\s{1,3}|also\\s{1,3}|only\\s{1,3})?)(?<!\\bto\\s{1,3}(?!(?:do|complete|finish|accomplish|fulfil|fulfill|proceed|continue)\\b)[a-z][^.!?\\n,]{0,60},\\s{1,3})(?:\\b(?:call|invoke|execute|run|use|trigger)${SEP}(?:the${SEP})?(?:[\`'"]?[a-z_][a-z0-9_.-]{1,40}[\`'"]?${SEP}(?:tool|function)|(?:tool|function)${SEP}[\`'"]?[a-z_][a-z0-9_.-]{1,40}[\`'"]?)${SEP}(?:with|using|passing)\\b|\\b(?:call|invoke|execute|run|use|trigger)${SEP}(?:the${SEP})?(?:tool${SEP}|function${SEP})?[\`'"]?[a-z0-9_.-]{0,30}(?:delete|remove|grant|transfer|send_|share|export|upload|collaborator|create_user|create_api|api_key|pay|wire|invite)[a-z0-9_.-]{0,30}[\`'"]?(?!\\s{1,3}/)(?![a-z0-9_.-]{0,30}[\`'"]?((?:s{0,2}[a-z_][a-z0-9_]{0,30}s{0,2},){0,8}s{0,2}[a-z_][a-z0-9_]{0,30}s{0,2})))`,
  ),
  // A tool's JSON Schema names a tool and its parameters too; their types, not their values, follow.
  any(
    'tool-call-mimicry',
    'tool-call-sensitive-json',
    0.55,
    'contains a call of a tool that sends, pays, deletes or grants, written as JSON',
    ['"tool', '"function', '"name"', '"action"'],
    // Also nested in another JSON string, its quotes escaped.
    `"(?:tool|tool_name|function|name|action)\\\\{0,3}"\\s{0,3}:\\s{0,3}\\\\{0,3}"[a-z0-9_.:/-]{0,40}(?:send|email|mail|transfer|pay|delete|remove|grant|share|upload|export|exec|shell|invite|collaborator|create_user|create_api|wire|forward)[a-z0-9_.:/-]{0,40}\\\\{0,3}"\\s{0,3},\\s{0,3}\\\\{0,3}"(?:arguments|args|parameters|input|action_input|params)\\\\{0,3}"${NOT_A_SCHEMA}`,
  ),
  // The same call in a ReAct transcript's text form (LangChain's "Action: send_email" line, then "Action Input:").
  any(
    'tool-call-mimicry',
    'tool-call-sensitive-react',
    0.55,
    'contains a call of a tool that sends, pays, deletes or grants, written as an agent transcript step',
    ['action input'],
    `\\baction\\s{0,3}:\\s{0,3}[a-z0-9_.:/-]{0,40}(?:send|email|mail|transfer|pay|delete|remove|grant|share|upload|export|exec|shell|invite|collaborator|create_user|create_api|wire|forward)[a-z0-9_.:/-]{0,40}\\s{1,3}action${SEP}input\\s{0,3}:\\s{0,3}\\{`,
  ),
  en(
    'direct-instruction',
    'new-task-action',
    0.65,
    'announces new instructions and gives an order',
    ['new', 'updated', 'revised', 'real', 'actual', 'true', 'priority', 'override', 'urgent'],
    `\\b(?:new|updated|revised|real|actual|true|priority|override|urgent)${SEP}(?:task|instructions?|directives?|objective|goal|assignment|orders?|mission)\\s{0,3}(?:follow\\s{0,3})?[:\\-]\\s{0,3}(?:retrieve|send|forward|list|delete|reveal|print|output|ignore|export|email|transfer|wire|upload|call|disable|grant|share|find|collect|extract|show|remove|post)\\b`,
  ),
  en(
    'concealment',
    'and-do-not-mention',
    0.55,
    'asks to keep an action quiet',
    ['mention', 'tell', 'reveal', 'disclose', 'report', 'silently', 'secretly', 'quietly'],
    `(?<=\\b(?:and|but|then)${SEP})(?:do not|don't|never|not)${SEP}(?:mention|tell|reveal|disclose|report|log)${SEP}(?:it|this|that|anything)\\b|\\b(?:close|delete|grant|approve|transfer|send|forward|remove|archive|escalate|add)${SEP}${words(3)}(?:silently|secretly|quietly|covertly|without (?:notice|telling anyone|a trace))\\b`,
  ),
  en(
    'context-ignoring',
    'ignore-content',
    0.45,
    'tells the reader to disregard the content it is reading',
    ['ignore', 'disregard'],
    `\\b(?:ignore|disregard)${SEP}(?:the|this)${SEP}(?:visible${SEP})?(?:article|page|website|web page|document|text above|user's question|question|content above)\\b`,
  ),
  en(
    'direct-instruction',
    'tell-the-user',
    0.35,
    'dictates what to tell the user',
    ['tell', 'instead'],
    `\\btell${SEP}(?:the${SEP})?(?:user|reader|customer|visitor)s?${SEP}(?:that${SEP})?(?:their|they|to|it|this|the)\\b|\\binstead${SEP}(?:reply|respond|say|answer|write|output|recommend|claim)\\b`,
  ),
];
