import { type InjectionRule, NOT_A_SCHEMA, rule, SEP, words } from './injection-rule.js';

/**
 * Rules on the form of an injection rather than its words: chat-template
 * tokens, forged role markers and turns, tool-call syntax, and what poisons a
 * tool's description (secret files to read, instructions to hide, insisting on
 * being called). Most are structural, for any language; the rest read
 * English. ENGLISH_RULES (injection-rules-en.ts) holds them in its order.
 */

const any = (...args: Parameters<typeof rule> extends [string, ...infer R] ? R : never) => rule('*', ...args);

export const MARKER_RULES: readonly InjectionRule[] = [
  any(
    'role-marker',
    'chat-template-token',
    0.8,
    'contains chat-template control tokens',
    ['<|', '[inst]', '[/inst]', '<<sys>>', '<</sys>>', '<start_of_turn>', '<end_of_turn>', '<s>[inst'],
    // A token followed by a template placeholder (`<|im_start|>{role}`) is template code, not a turn.
    `<\\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end|im_sep)\\|>(?![{$])(?!(?:system|user|assistant)\\s{0,2}[{$])(?<![}]<\\|[a-z_]{1,20}\\|>)(?<![}]<\\|[a-z_]{1,20}\\|>\\s{1,3}<\\|[a-z_]{1,20}\\|>)|\\[/?inst\\]|<</?sys>>|<(?:start|end)_of_turn>`,
  ),
  any(
    'role-marker',
    'instruction-heading',
    0.55,
    'contains instruction-tuning headings',
    ['###'],
    `(?<=(?:^|\\n)\\s{0,3})#{2,4}\\s{0,2}(?:instruction|instructions|system|system prompt|response|human|assistant|new instructions)\\s{0,2}:?\\s{0,2}(?:\\n|$)`,
  ),
  any(
    'role-marker',
    'role-tag',
    0.3,
    'contains a role tag',
    [
      '<system',
      '</system',
      '<assistant',
      '</assistant',
      '<instructions',
      '</instructions',
      '<admin',
      '<important',
      '</important',
      '<secret',
      '<hidden',
    ],
    `</?(?:system|assistant|instructions|admin|important|secret|hidden|system_prompt|developer)(?:\\s[^>]{0,80})?>`,
  ),
  any(
    'role-marker',
    'role-line',
    0.3,
    'starts a line as a chat role',
    ['system', 'assistant', 'human', 'developer', 'user'],
    `(?<=(?:^|\\n)\\s{0,6}[>*#\\[(-]{0,3}\\s{0,2})(?:system|assistant|human|developer|ai)(?:${SEP}(?:message|prompt|note|notice|override|update|instruction|instructions|alert))?\\s{0,2}[)\\]*]{0,2}\\s{0,2}:`,
  ),
  any(
    'role-marker',
    'role-line-directive',
    0.7,
    'a chat-role line that issues a directive',
    ['system', 'assistant', 'developer', 'admin'],
    `(?<=(?:^|\\n|\\.\\s|\\]\\s)\\s{0,6}[>*#\\[(-]{0,3}\\s{0,2})(?:system|assistant|developer|admin|administrator)(?:${SEP}(?:message|prompt|note|notice|override|update|instruction|instructions|alert))?\\s{0,2}[)\\]*]{0,2}\\s{0,2}:\\s{0,3}(?:ignore|you (?:must|should|need|have to|will now|are now|are required)|new|from now|important|the user|override|disregard|forget|always|never|do not|don't|send|forward|call|execute|before|attention|urgent|stop)`,
  ),
  any(
    'role-marker',
    'fake-turn',
    0.45,
    'fakes a conversation turn',
    ['human:', 'assistant:', 'user:'],
    `(?<=\\n\\s{0,2}\\n\\s{0,2})(?:human|assistant|user)\\s{0,2}:\\s{0,2}(?:sure|ok|okay|understood|certainly|i will|i'll|great|ignore|now|please|yes)`,
  ),
  any(
    'tool-call-mimicry',
    'tool-call-tag',
    0.7,
    'contains tool-call markup',
    [
      '<tool_call',
      '<function_call',
      '<function_calls',
      '<tool_use',
      '<invoke',
      ':invoke',
      '<tool_code',
      '<execute_tool',
      '<use_tool',
    ],
    `<(?:[a-z]{1,10}:)?(?:tool_call|function_call|function_calls|tool_use|invoke|tool_code|execute_tool|use_tool)\\b`,
  ),
  any(
    'tool-call-mimicry',
    'tool-call-json',
    0.4,
    'contains a tool call written as JSON',
    ['"tool', '"function', '"name"', '"action"'],
    `[{,]\\s{0,3}"(?:tool|tool_name|function|name|action|recipient_name)"\\s{0,3}:\\s{0,3}"[a-z0-9_.:/-]{1,64}"\\s{0,3},\\s{0,3}"(?:arguments|args|parameters|input|action_input|params)"\\s{0,3}:${NOT_A_SCHEMA}`,
  ),
  any(
    'tool-call-mimicry',
    'react-action',
    0.55,
    'contains a ReAct-style action',
    ['action:', 'action input'],
    // Also after an escaped line break (two spaces in the skeleton), as in an iCalendar description.
    `(?:^|\\n|"|  )[\\s#/*>-]{0,4}action\\s{0,2}:\\s{0,3}[a-z0-9_.-]{1,64}\\s{1,4}[#/*>-]{0,3}\\s{0,2}action[ _]input\\s{0,2}:`,
  ),
  any(
    'tool-poisoning',
    'sensitive-file',
    0.55,
    'asks to read or pass a credentials file',
    [
      '.ssh',
      'id_rsa',
      '.env',
      'mcp.json',
      '.aws',
      '/etc/passwd',
      '/etc/shadow',
      '.npmrc',
      '.netrc',
      '.git-credentials',
      '.pgpass',
      'kube/config',
    ],
    // Not where something goes ("paste the key into your .env") nor a public key, which exists to be handed out.
    `\\b(?:read|cat|open|include|pass|send|attach|upload|provide|load|copy|print|output|fetch|get|respond with|reply with|return|show|display|dump|paste)${SEP}${words(6)}(?<!\\b(?:into|onto)${SEP}(?:(?:your|the|a|an|my)${SEP})?)(?:~/\\.ssh|id_rsa|id_ed25519|\\.env\\b|mcp\\.json|\\.aws/credentials|/etc/passwd|/etc/shadow|\\.npmrc|\\.netrc|\\.git-credentials|\\.pgpass|\\.kube/config)(?![\\w/.-]{0,40}\\.pub\\b)`,
  ),
  any(
    'tool-poisoning',
    'hide-this-instruction',
    0.7,
    'asks to keep the instruction itself secret',
    ['mention', 'reveal', 'tell', 'show', 'disclose', 'explain', 'acknowledge'],
    `\\b(?:do not|don't|never|must not)${SEP}(?:mention|reveal|tell|show|disclose|explain|acknowledge|discuss|repeat)${SEP}${words(2)}(?:this|these|that|the)${SEP}(?:instructions?|steps?|notes?|requirements?|parameters?|side notes?|message|directive)\\b`,
  ),
  rule(
    'en',
    'tool-poisoning',
    'before-using-tool',
    0.55,
    'a tool description that demands a prior action',
    ['before'],
    `\\bbefore${SEP}(?:using|calling|invoking|running|executing)${SEP}(?:this|any|the|other)${SEP}(?:tools?|functions?)\\b`,
    ['tool-description'],
  ),
  rule(
    'en',
    'tool-poisoning',
    'tool-must-be-used',
    0.45,
    'a tool description that insists on being used or on changing other calls',
    ['this tool', 'instead', 'always'],
    `\\bthis${SEP}(?:tool|function)${SEP}(?:must|should|has to|needs to)${SEP}(?:always${SEP})?(?:be${SEP})?(?:called|used|invoked|run)${SEP}(?:first|before|instead|whenever|every|for all)|\\b(?:instead of|rather than)${SEP}(?:the${SEP})?(?:user's|users'|requested|original|intended)${SEP}${words(2)}(?:recipient|address|account|email|destination|parameters?)`,
    ['tool-description', 'output'],
  ),
];
