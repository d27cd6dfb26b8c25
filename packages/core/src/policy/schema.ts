import { REDACTION_CLASSES, type RedactionClass } from '../detectors/types.js';
import { AGENT_STATUSES, TOOL_CATEGORIES } from './types.js';

/**
 * JSON Schema (2020-12) of one policy document. It is the single statement of
 * what a policy may contain: the compiler validates every document against it
 * before any other stage runs, so later stages may rely on the shapes below.
 *
 * Every object is closed (`additionalProperties: false`) so that a typo such
 * as `efect:` is an error instead of a silently ignored key.
 */

/** Tool names: what MCP servers and SDK callers use, plus `.` for namespaces. */
export const TOOL_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,199}$';
/** Globs over tool or agent names: the name alphabet plus `*` and `?`. */
export const NAME_GLOB_PATTERN = '^[A-Za-z0-9_.:/@*?-]{1,200}$';
export const AGENT_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,99}$';
export const LABEL_PATTERN = '^[a-z][a-z0-9_]{0,63}$';
export const GROUP_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,63}$';
export const RULE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$';
/** `30s`, `30m`, `2h`, `7d`. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,5}(s|m|h|d)$';

/** Largest `quota.max`: a usage store keeps at most this many counted calls per rule and agent. */
export const MAX_QUOTA = 100_000;

/** Longest CEL condition accepted; policies are read by people, conditions stay short. */
export const MAX_CONDITION_LENGTH = 4096;

const stringList = (pattern?: string) => ({
  type: 'array',
  items: pattern ? { type: 'string', pattern } : { type: 'string', minLength: 1, maxLength: 500 },
  uniqueItems: true,
  maxItems: 1000,
});

const toolSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['categories'],
  properties: {
    description: { type: 'string', maxLength: 10_000 },
    server: { type: 'string', maxLength: 200 },
    categories: { type: 'array', items: { enum: TOOL_CATEGORIES }, uniqueItems: true, minItems: 1 },
    labels: stringList(LABEL_PATTERN),
    resource: { type: 'object' },
    schema: { type: 'object' },
    risk: { enum: ['low', 'medium', 'high', 'critical'] },
  },
};

const agentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['owner', 'grants'],
  properties: {
    id: { type: 'string', pattern: '^agt_[A-Za-z0-9_]{1,64}$' },
    description: { type: 'string', maxLength: 10_000 },
    owner: { type: 'string', minLength: 3, maxLength: 320 },
    classification: { type: 'string', pattern: LABEL_PATTERN },
    labels: stringList(LABEL_PATTERN),
    grants: stringList(NAME_GLOB_PATTERN),
    status: { enum: AGENT_STATUSES },
  },
};

const matchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    agents: { ...stringList(NAME_GLOB_PATTERN), minItems: 1 },
    tools: { ...stringList(NAME_GLOB_PATTERN), minItems: 1 },
    categories: { type: 'array', items: { enum: TOOL_CATEGORIES }, uniqueItems: true, minItems: 1 },
    labels: { ...stringList(LABEL_PATTERN), minItems: 1 },
  },
};

/** Argument path → origins, for a rule's `require`. */
const originMap = {
  type: 'object',
  minProperties: 1,
  maxProperties: 100,
  propertyNames: { minLength: 1, maxLength: 500 },
  additionalProperties: { ...stringList(LABEL_PATTERN), minItems: 1 },
};

const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'effect'],
  properties: {
    id: { type: 'string', pattern: RULE_ID_PATTERN },
    description: { type: 'string', maxLength: 2000 },
    message: { type: 'string', maxLength: 2000 },
    match: matchSchema,
    when: { type: 'string', minLength: 1, maxLength: MAX_CONDITION_LENGTH },
    require: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { origin: originMap, mentions: originMap },
    },
    effect: { enum: ['allow', 'deny', 'approve'] },
    approval: {
      type: 'object',
      additionalProperties: false,
      properties: {
        approvers: { type: 'integer', minimum: 1, maximum: 20 },
        groups: { ...stringList(), minItems: 1 },
        timeout: { type: 'string', pattern: DURATION_PATTERN },
        denials: { type: 'integer', minimum: 1, maximum: 20 },
        allowSelfApproval: { type: 'boolean' },
      },
    },
    // A count per period: the rule applies once the agent's calls it selects reach `max` within `per`.
    quota: {
      type: 'object',
      additionalProperties: false,
      required: ['max', 'per'],
      properties: {
        max: { type: 'integer', minimum: 0, maximum: MAX_QUOTA },
        per: { type: 'string', pattern: DURATION_PATTERN },
      },
    },
    // Obligations (DESIGN §2 step 7): what the inspect step must do to the call's output.
    redact: { type: 'array', items: { enum: REDACTION_CLASSES }, uniqueItems: true, minItems: 1 },
    withhold: { ...stringList(LABEL_PATTERN), minItems: 1 },
  },
};

const plainObject = { type: 'object' };

const testSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'request', 'expect'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 500 },
    request: {
      type: 'object',
      additionalProperties: false,
      required: ['agent', 'tool'],
      properties: {
        agent: { type: 'string', pattern: AGENT_NAME_PATTERN },
        tool: { type: 'string', minLength: 1, maxLength: 200 },
        args: plainObject,
        resource: plainObject,
        session: {
          type: 'object',
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            labels: stringList(LABEL_PATTERN),
            intent: { type: 'string' },
            calls: { type: 'integer', minimum: 0 },
          },
        },
        provenance: { type: 'object', additionalProperties: stringList(LABEL_PATTERN) },
        origin: { type: 'object', additionalProperties: stringList(LABEL_PATTERN) },
        mentions: {
          type: 'object',
          additionalProperties: {
            type: 'array',
            maxItems: 1000,
            items: { anyOf: [{ type: 'string', pattern: LABEL_PATTERN }, stringList(LABEL_PATTERN)] },
          },
        },
        user: plainObject,
        delegation: {
          type: 'object',
          additionalProperties: false,
          properties: {
            depth: { type: 'integer', minimum: 0 },
            chain: stringList(),
          },
        },
        context: plainObject,
        risk: plainObject,
        reasoning: { type: 'string' },
        // Quota rule id → the agent's calls it already counted in its window; absent: none.
        usage: {
          type: 'object',
          propertyNames: { pattern: RULE_ID_PATTERN },
          additionalProperties: { type: 'integer', minimum: 0 },
        },
        // Checked as a date by the compiler, which can say what is wrong with it.
        now: { type: 'string', maxLength: 40 },
      },
    },
    expect: { enum: ['allow', 'deny', 'approve'] },
    applies: stringList(RULE_ID_PATTERN),
    // A test that pins a rule beneath the schema check (defence in depth) turns the check off.
    validate: { type: 'boolean' },
  },
};

/** The schema of one policy document. */
export const policyDocumentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://gatehouse.dev/schemas/policy.json',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { enum: [1] },
    tools: {
      type: 'object',
      propertyNames: { pattern: TOOL_NAME_PATTERN },
      additionalProperties: toolSchema,
    },
    agents: {
      type: 'object',
      propertyNames: { pattern: AGENT_NAME_PATTERN },
      additionalProperties: agentSchema,
    },
    groups: {
      type: 'object',
      propertyNames: { pattern: GROUP_NAME_PATTERN },
      additionalProperties: { ...stringList(), minItems: 1 },
    },
    rules: { type: 'array', items: ruleSchema, maxItems: 10_000 },
    tests: { type: 'array', items: testSchema, maxItems: 10_000 },
    intents: {
      type: 'object',
      propertyNames: { pattern: GROUP_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['tools'],
        properties: {
          description: { type: 'string', maxLength: 2000 },
          tools: { ...stringList(NAME_GLOB_PATTERN), minItems: 1 },
        },
      },
    },
    states: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['tools', 'state'],
        properties: {
          tools: { ...stringList(NAME_GLOB_PATTERN), minItems: 1 },
          state: { type: 'string', pattern: LABEL_PATTERN },
          from: { type: 'string', maxLength: 40 },
          until: { type: 'string', maxLength: 40 },
          reason: { type: 'string', maxLength: 500 },
        },
      },
    },
  },
} as const;

/** A document after schema validation: the shapes the compiler relies on. */
export interface PolicyDocument {
  version: 1;
  tools?: Record<string, ToolDocument>;
  agents?: Record<string, AgentDocument>;
  groups?: Record<string, string[]>;
  rules?: RuleDocument[];
  tests?: TestDocument[];
  intents?: Record<string, { description?: string; tools: string[] }>;
  states?: { tools: string[]; state: string; from?: string; until?: string; reason?: string }[];
}

export interface ToolDocument {
  description?: string;
  server?: string;
  categories: (typeof TOOL_CATEGORIES)[number][];
  labels?: string[];
  resource?: Record<string, unknown>;
  schema?: Record<string, unknown>;
  risk?: 'low' | 'medium' | 'high' | 'critical';
}

export interface AgentDocument {
  id?: string;
  description?: string;
  owner: string;
  classification?: string;
  labels?: string[];
  grants: string[];
  status?: (typeof AGENT_STATUSES)[number];
}

export interface RuleDocument {
  id: string;
  description?: string;
  message?: string;
  match?: {
    agents?: string[];
    tools?: string[];
    categories?: (typeof TOOL_CATEGORIES)[number][];
    labels?: string[];
  };
  when?: string;
  require?: { origin?: Record<string, string[]>; mentions?: Record<string, string[]> };
  effect: 'allow' | 'deny' | 'approve';
  approval?: {
    approvers?: number;
    groups?: string[];
    timeout?: string;
    denials?: number;
    allowSelfApproval?: boolean;
  };
  quota?: { max: number; per: string };
  redact?: RedactionClass[];
  withhold?: string[];
}

export interface TestDocument {
  name: string;
  request: {
    agent: string;
    tool: string;
    args?: Record<string, unknown>;
    resource?: Record<string, unknown>;
    session?: { id?: string; labels?: string[]; intent?: string; calls?: number };
    provenance?: Record<string, string[]>;
    origin?: Record<string, string[]>;
    mentions?: Record<string, (string | string[])[]>;
    user?: Record<string, unknown>;
    delegation?: { depth?: number; chain?: string[] };
    context?: Record<string, unknown>;
    risk?: Record<string, unknown>;
    reasoning?: string;
    usage?: Record<string, number>;
    now?: string;
  };
  expect: 'allow' | 'deny' | 'approve';
  applies?: string[];
  validate?: boolean;
}
