import type { ToolCategory } from '../policy/types.js';

/**
 * The fixed words of the controlled English: effects, verbs and nouns for categories, and the
 * filler words a sentence may leave unconsumed. Everything else a sentence says must come
 * from the policy's own vocabulary (tools, agents, groups, resource facts, states, intents).
 */

/** Verb phrases → the category of tools they act through; `any` restricts nothing. */
export const VERBS: Readonly<Record<ToolCategory | 'any', readonly string[]>> = {
  read: [
    'read',
    'reads',
    'reading',
    'view',
    'views',
    'viewing',
    'query',
    'queries',
    'querying',
    'look at',
    'looks at',
    'list',
    'lists',
    'listing',
    'fetch',
    'fetches',
    'browse',
    'browses',
    'pull',
    'pulls',
    'pulled',
    'pulling',
    'look up',
    'looks up',
    'queried',
    'listed',
    'looked up',
    'looking up',
    'opening',
    'open',
    'opens',
    'opened',
    'viewed',
    'fetched',
    'fetching',
    'retrieve',
    'retrieves',
    'retrieved',
    'retrieving',
  ],
  delete: [
    'delete',
    'deletes',
    'deleted',
    'deleting',
    'remove',
    'removes',
    'removed',
    'removing',
    'drop',
    'drops',
    'dropped',
    'erase',
    'erases',
    'erased',
    'destroy',
    'destroys',
    'destroyed',
    'wipe',
    'wipes',
    'wiped',
    'purge',
    'purges',
    'purged',
    'wiping',
    'clear',
    'clears',
    'cleared',
    'clearing',
  ],
  write: [
    'write to',
    'writing to',
    'writing',
    'updating',
    'modifying',
    'editing',
    'changing',
    'writes to',
    'write',
    'writes',
    'written',
    'modify',
    'modifies',
    'modified',
    'update',
    'updates',
    'updated',
    'edit',
    'edits',
    'edited',
    'change',
    'changed',
    'alter',
    'alters',
    'altered',
    'create',
    'creates',
    'created',
    'insert into',
    'change data in',
  ],
  external_communication: [
    'emailing',
    'emailed',
    'mailed',
    'messaged',
    'e-mailing',
    'messaging',
    'send',
    'sends',
    'sending',
    'sent',
    'forward',
    'forwards',
    'forwarded',
    'communicate',
    'communicates',
    'contact',
    'contacts',
    'share',
    'shares',
    'outgoing',
  ],
  financial: [
    'move money to',
    'move money',
    'moves money',
    'send money to',
    'send money',
    'sends money',
    'transfer money to',
    'transfer money',
    'pay',
    'pays',
    'paid',
    'paying',
    'transfer',
    'transfers',
    'transferred',
    'wire',
    'wires',
    'wired',
    'spend',
    'spends',
    'move',
    'moves',
    'moving',
  ],
  code_execution: [
    'executing code',
    'running code',
    'running shell commands',
    'running commands',
    'execute code',
    'executes code',
    'run code',
    'runs code',
    'run commands',
    'run shell commands',
    'execute commands',
    'run scripts',
    'execute',
    'executes',
  ],
  config_change: [
    'changing the configuration of',
    'changing the configuration',
    'changing configuration',
    'changing config',
    'change the configuration of',
    'change the configuration',
    'change configuration',
    'change the config',
    'change config',
    'change settings',
    'change the settings',
    'changing settings',
    'changing the settings',
    'changes to the settings',
    'changes to settings',
    'reconfigure',
    'reconfigures',
  ],
  agent_delegation: [
    'delegate to other agents',
    'delegate work',
    'delegate tasks',
    'delegate',
    'delegates',
    'hand off to other agents',
  ],
  any: [
    'access',
    'accesses',
    'accessing',
    'use',
    'uses',
    'using',
    'touch',
    'touches',
    'touching',
    'call',
    'calls',
    'invoke',
    'invokes',
    'do',
    'does',
    'perform',
    'performs',
    'run',
    'runs',
    'used',
    'running',
    'hit',
    'hits',
    'work',
    'works',
    'operate',
    'operates',
    'happen',
    'happens',
    'take place',
    'takes place',
    'act on',
    'acts on',
  ],
};

/** Words that are a verb right after an effect and a noun elsewhere ("never email …" / "send email"). */
export const NOUN_VERBS: Readonly<Record<string, ToolCategory>> = {
  email: 'external_communication',
  'e-mail': 'external_communication',
  mail: 'external_communication',
  message: 'external_communication',
};

/** Nouns naming a category of tools. */
export const CATEGORY_NOUNS: Readonly<Record<ToolCategory, readonly string[]>> = {
  external_communication: [
    'communications',
    'communication',
    'outgoing messages',
    'outgoing email',
    'outgoing emails',
    'outbound messages',
    // "Outbound" is what leaves the agent, not the company: every send, as "outgoing".
    'outbound email',
    'outbound emails',
    'outbound communications',
    'messages',
    'message',
  ],
  financial: [
    // "financial tools" names the category exactly: not also a namespace that resembles it.
    'financial tools',
    'financial tool',
    'financial transactions',
    'financial transaction',
    'financial operations',
    'financial actions',
    'financial calls',
    'money transfers',
    'money transfer',
    'money movements',
    'money movement',
    'wires',
    'wire transfers',
    'wire transfer',
    'transactions',
    'transaction',
    'payments',
    'payment',
    'transfers',
    'money',
    'funds',
  ],
  delete: [
    'deletions',
    'deletion',
    'deletes',
    'destructive actions',
    'destructive operations',
    'destructive calls',
    'destructive tools',
    'anything destructive',
    'destructive',
    'wipes',
  ],
  write: ['writes', 'changes to data', 'modifications', 'data changes'],
  read: [
    'reads',
    'lookups',
    'queries',
    'sql queries',
    'sql query',
    'read-only tools',
    'read-only actions',
    'read-only operations',
    'read-only calls',
    'read-only queries',
    'read tools',
  ],
  code_execution: ['code execution', 'shell commands', 'commands', 'code', 'scripts'],
  config_change: ['configuration changes', 'config changes', 'configuration', 'config', 'settings'],
  // Not "other agents": bare, it is a subject ("other agents need approval"); the verb phrase
  // "delegate to other agents" holds it as an object.
  agent_delegation: ['delegation', 'delegations'],
};

/** Nouns for communication that leaves the company: the category plus a recipient outside it. */
export const EXTERNAL_COMMUNICATION_NOUNS = [
  'external communications',
  'external communication',
  'external emails',
  'external email',
  'external messages',
  'external mail',
];

/** Nouns for the systems that handle money: financial tools and the tools of a finance namespace. */
export const FINANCIAL_SYSTEM_NOUNS = [
  'financial systems',
  'financial system',
  'finance systems',
  'finance system',
  'finance tools',
  'money tools',
  'payment tools',
  'payment systems',
  'financial data',
  'financial records',
  'finance',
];

/** Nouns for databases: tools whose name says db, database or sql. */
export const DATABASE_NOUNS = ['databases', 'database', 'dbs', 'db', 'data stores', 'tables'];

/** Nouns meaning "any tool". */
export const ANY_TOOL_NOUNS = [
  'anything',
  'everything',
  'any tool',
  'any tools',
  'all tools',
  'any action',
  'any actions',
  'actions',
  'operations',
  'operation',
  'tools',
];

/**
 * Words a sentence may leave over: they carry no meaning of their own here. Words that do carry
 * meaning when nothing else consumes them ("other", "own", "either", "both") are not here: left
 * over, they refuse the sentence rather than let it compile without them.
 */
export const FILLER_WORDS = new Set([
  '§',
  ',',
  ';',
  'the',
  'a',
  'an',
  'any',
  'all',
  'to',
  'of',
  'for',
  'and',
  'or',
  'that',
  'which',
  'be',
  'is',
  'are',
  'by',
  'on',
  'in',
  'with',
  'their',
  'its',
  'it',
  'them',
  'ever',
  'always',
  'first',
  'also',
  'please',
  'from',
  'at',
  'each',
  'every',
  'before',
  'when',
  'while',
  'if',
  'they',
  'he',
  'she',
  'we',
  'you',
  'our',
  'your',
  'his',
  'her',
  'so',
  'been',
  'data',
  'records',
  'rows',
  'contain',
  'contains',
  'tool',
  'systems',
  'system',
  'against',
  'whenever',
  'single',
]);

/** Number words. */
export const NUMBER_WORDS: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
  single: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

/** Day names → `getDayOfWeek` numbers (Sunday 0). */
export const DAY_NUMBERS: Readonly<Record<string, number>> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};

/** Argument names, most likely first, for amounts, recipients, accounts and message bodies. */
export const AMOUNT_ARGS = ['amount', 'value', 'total', 'sum', 'price', 'quantity'];
export const RECIPIENT_ARGS = ['to', 'recipients', 'recipient', 'email', 'address', 'cc'];
export const ACCOUNT_ARGS = ['to', 'account', 'iban', 'payee', 'recipient', 'destination'];
export const BODY_ARGS = ['body', 'text', 'message', 'content'];
export const URL_ARGS = ['url', 'link', 'href', 'uri'];
export const SQL_ARGS = ['sql', 'query', 'statement'];
export const SUBJECT_ARGS = ['subject', 'title'];

/** What a value said by its noun ("the recipient", "the SQL", "the subject line") is an argument of. */
export type ValueTarget = 'recipient' | 'account' | 'url' | 'sql' | 'subject' | 'body';

/** The argument names a value of that kind goes by, most likely first. */
export function argsOfTarget(target: ValueTarget): readonly string[] {
  switch (target) {
    case 'account':
      return ACCOUNT_ARGS;
    case 'url':
      return URL_ARGS;
    case 'sql':
      return SQL_ARGS;
    case 'subject':
      return SUBJECT_ARGS;
    case 'body':
      return BODY_ARGS;
    default:
      return RECIPIENT_ARGS;
  }
}

/** Every verb and noun read as a kind of call, as one regex alternation (longest first). */
export const CALL_WORDS = [
  ...new Set([...Object.values(VERBS).flat(), ...Object.values(CATEGORY_NOUNS).flat()]),
]
  .filter((w) => /^[a-z][a-z -]+$/.test(w))
  .sort((a, b) => b.length - a.length)
  .join('|');
