import type { RedactionClass } from '../detectors/types.js';
import type { Diagnostic } from '../errors.js';

/** What a tool does. Rules match on these; the set is closed so a typo is an error. */
export const TOOL_CATEGORIES = [
  'read',
  'write',
  'delete',
  'external_communication',
  'financial',
  'config_change',
  'code_execution',
  'agent_delegation',
] as const;
export type ToolCategory = (typeof TOOL_CATEGORIES)[number];

/** Labels Gatehouse itself emits. Policies may use other labels of the same shape. */
export const WELL_KNOWN_LABELS = [
  'untrusted',
  'confidential',
  'pii',
  'secret',
  'injection_suspected',
  'user_input',
  'oversize',
  'inspection_failed',
] as const;

/** Lifecycle state of an agent. Only `active` agents may act. */
export const AGENT_STATUSES = ['active', 'suspended', 'quarantined', 'retired'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** The three outcomes of a decision. */
export type Effect = 'allow' | 'deny' | 'approve';

/** A source document handed to the compiler: a name for diagnostics and its text. */
export interface PolicySource {
  /** Usually the file path; appears in every diagnostic about this source. */
  readonly name: string;
  readonly text: string;
}

/** Where something was declared, for decisions and diagnostics that point back at it. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A tool as the catalog describes it. */
export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  readonly server?: string;
  readonly categories: readonly ToolCategory[];
  /** Labels the tool's output carries (e.g. `untrusted` for an inbox reader). */
  readonly labels: readonly string[];
  /** Facts about the system the tool acts on; visible to CEL as `resource`. */
  readonly resource: Readonly<Record<string, unknown>>;
  /** JSON Schema of the tool's arguments (checked in the validate step). */
  readonly schema?: Readonly<Record<string, unknown>>;
  readonly risk?: 'low' | 'medium' | 'high' | 'critical';
  readonly location: SourceLocation;
}

/** An agent identity as the PDP sees it: from `agents:` in policy or from the registry. */
export interface AgentIdentity {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly status: AgentStatus;
  /** Tool patterns the agent may call at all: its least-privilege ceiling. */
  readonly grants: readonly string[];
  readonly classification?: string;
  readonly labels?: readonly string[];
}

/** The part of a rule that selects requests before its condition runs. */
export interface RuleMatch {
  /** Globs over agent names (or ids). */
  readonly agents?: readonly string[];
  /** Globs over tool names. */
  readonly tools?: readonly string[];
  /** The tool must have at least one of these categories. */
  readonly categories?: readonly ToolCategory[];
  /** The request's data must carry at least one of these labels (session or provenance). */
  readonly labels?: readonly string[];
}

/**
 * Positive provenance a rule requires of argument values (DESIGN §3): for each argument path,
 * the origins of which at least one must vouch for every value under it. A `deny` or
 * `approve` rule with a requirement applies when the requirement is not met.
 */
export interface OriginRequirement {
  /** The value itself came from one of these origins (`user_input`, `trusted`, `endorsed`, …). */
  readonly origin?: Readonly<Record<string, readonly string[]>>;
  /** Every address, host or account the value mentions came from one of these origins. */
  readonly mentions?: Readonly<Record<string, readonly string[]>>;
}

/** What an `approve` rule requires before the action may run. */
export interface ApprovalRequirement {
  /** The rule that asked. */
  readonly rule: string;
  /** How many distinct people must approve. */
  readonly approvers: number;
  /** When set, approvers must belong to one of these groups. */
  readonly groups: readonly string[];
  /** How long the approval may stay pending, in milliseconds. */
  readonly timeoutMs: number;
  /** How many deny votes deny the action (default 1: any one person can stop it). */
  readonly denials: number;
  /**
   * Whether the agent's owner and the user it acts for may vote on its
   * actions. Off unless the policy says so: four eyes means someone else's.
   */
  readonly allowSelfApproval: boolean;
}

/**
 * What must happen to a call's output (and to the arguments the audit
 * keeps) when the call goes through: the obligations of the rules that
 * applied, combined.
 */
export interface Obligations {
  /** Secrets and PII to replace with `[REDACTED:<kind>]` in the output and in audited arguments. */
  readonly redact: readonly RedactionClass[];
  /** Output labels that withhold the output from the agent altogether (e.g. `secret`). */
  readonly withhold: readonly string[];
  /** The rules the obligations come from. */
  readonly rules: readonly string[];
}

/**
 * A count per period on a rule: the rule applies once the calls it selects that the same agent
 * already made, and that ran, number `max` within the trailing `per`.
 */
export interface RuleQuota {
  readonly max: number;
  /** The window as written (`1h`, `1d`). */
  readonly per: string;
  readonly windowMs: number;
}

/** A compiled rule. */
export interface CompiledRule {
  readonly id: string;
  readonly description?: string;
  readonly message?: string;
  readonly effect: Effect;
  readonly match: RuleMatch;
  /** The CEL source of the condition, if any. */
  readonly when?: string;
  /** Positive provenance the rule requires; the rule applies when it is not met. */
  readonly require?: OriginRequirement;
  readonly approval?: Omit<ApprovalRequirement, 'rule'>;
  /** Present on a quota rule: it applies only once the agent's count reaches the quota. */
  readonly quota?: RuleQuota;
  /** What the rule obliges the inspect step to do, when it applies. */
  readonly obligations?: Omit<Obligations, 'rules'>;
  /** Position of the rule in policy order (0-based). */
  readonly index: number;
  readonly location: SourceLocation;
}

/** A state a set of tools' systems is in during a window (e.g. `frozen` during a change freeze). */
export interface ResourceStateWindow {
  readonly tools: readonly string[];
  readonly state: string;
  /** Inclusive start; unbounded when absent. */
  readonly from?: Date;
  /** Exclusive end; unbounded when absent. */
  readonly until?: Date;
  readonly reason?: string;
}

/** A `tests:` case, as written. */
export interface PolicyTestCase {
  readonly name: string;
  readonly request: DecisionRequestInput;
  readonly expect: Effect;
  /** Rules that must be among those that applied. */
  readonly applies?: readonly string[];
  /**
   * `false` skips the argument checks the enforcement path runs before deciding (limits and the
   * tool's schema), for a test that pins what a rule does with arguments the schema would refuse.
   */
  readonly validate?: boolean;
  readonly location: SourceLocation;
}

/** The immutable output of `compilePolicy`, the input of `decide`. */
export interface CompiledPolicy {
  /** SHA-256 (hex) over the sources' names and texts: identifies this version. */
  readonly hash: string;
  readonly sources: readonly string[];
  readonly tools: ReadonlyMap<string, ToolDefinition>;
  readonly agents: ReadonlyMap<string, AgentIdentity>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly rules: readonly CompiledRule[];
  readonly tests: readonly PolicyTestCase[];
  /** Declared session intents and the tools each allows; empty when intents are free-form. */
  readonly intents: ReadonlyMap<string, readonly string[]>;
  /** Scheduled system states (change freezes, maintenance) visible to CEL as `resource.state`. */
  readonly states: readonly ResourceStateWindow[];
  readonly warnings: readonly Diagnostic[];
}

/** Session facts a PEP passes with a request. */
export interface SessionInput {
  readonly id?: string;
  /** Labels of every tool output seen so far in the session. */
  readonly labels?: readonly string[];
  /** The session's declared intent, if any. */
  readonly intent?: string;
  /** How many calls the session has made so far. */
  readonly calls?: number;
}

/** A delegation chain: the agent acting on behalf of other agents. */
export interface DelegationInput {
  readonly depth?: number;
  /** Agent ids, outermost first. */
  readonly chain?: readonly string[];
}

/**
 * What a PEP asks the PDP. Loosely typed on purpose: `decide` validates it and
 * denies a malformed request with a reason instead of throwing.
 */
export interface DecisionRequestInput {
  /** An agent identity, or the name of an agent declared in the policy. */
  readonly agent: AgentIdentity | string;
  readonly tool: string;
  readonly args?: Readonly<Record<string, unknown>>;
  /** Extra resource facts; the catalog's `resource` wins on conflicting keys. */
  readonly resource?: Readonly<Record<string, unknown>>;
  readonly session?: SessionInput;
  /** Argument path → labels of earlier outputs in which that value appeared. */
  readonly provenance?: Readonly<Record<string, readonly string[]>>;
  /**
   * Argument leaf path → the origins that vouch for the value (`user_input`, `trusted`,
   * `endorsed`, output labels). A leaf with no entry has no known origin.
   */
  readonly origin?: Readonly<Record<string, readonly string[]>>;
  /**
   * Argument leaf path → the origins of each address, host or account the value mentions, one
   * list per identifier (a plain list of strings stands for one); no entry: it mentions none.
   */
  readonly mentions?: Readonly<Record<string, readonly (string | readonly string[])[]>>;
  /** The human the agent acts for. */
  readonly user?: Readonly<Record<string, unknown>>;
  readonly delegation?: DelegationInput;
  /** Whatever the caller adds (e.g. `uncertain: true`). */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly risk?: Readonly<Record<string, unknown>>;
  /** The agent's stated reasoning; recorded, not evaluated. */
  readonly reasoning?: string;
  /** Evaluation time; defaults to the current time. */
  readonly now?: Date;
  /**
   * Quota rule id → how many of the calls the rule selects this agent already made within the
   * rule's window. The enforcement path fills it; a quota rule with no count fails closed.
   */
  readonly usage?: Readonly<Record<string, number>>;
}

/** The alias used by doors and docs. */
export type DecisionRequest = DecisionRequestInput;

/** Why a decision came out as it did, as a stable code. */
export type DecisionReasonCode =
  | 'invalid-request'
  | 'unknown-agent'
  | 'agent-suspended'
  | 'agent-quarantined'
  | 'agent-retired'
  | 'not-granted'
  | 'unknown-tool'
  | 'unknown-intent'
  | 'outside-intent'
  | 'rule-deny'
  | 'rule-approve'
  | 'rule-allow'
  | 'granted';

/** A rule that applied to a request. */
export interface AppliedRule {
  readonly id: string;
  readonly effect: Effect;
  /** The rule's message, else its description, else a generic sentence. */
  readonly message: string;
  /** Set when the condition raised an error (the rule then applied fail-closed, or not at all for `allow`). */
  readonly error?: string;
}

/** A condition that raised an error during evaluation. */
export interface ConditionError {
  readonly rule: string;
  readonly message: string;
  /** True when the error made the rule apply (deny/approve), false when it made it not apply (allow). */
  readonly counted: boolean;
}

/** The PDP's answer. */
export interface Decision {
  readonly effect: Effect;
  readonly code: DecisionReasonCode;
  /** Human-readable reasons, most decisive first. */
  readonly reasons: readonly string[];
  /** Every rule that applied, in policy order. */
  readonly rules: readonly AppliedRule[];
  /** Present when `effect` is `approve`: every requirement must be met. */
  readonly approval?: {
    readonly requirements: readonly ApprovalRequirement[];
    /** The shortest of the requirements' timeouts. */
    readonly timeoutMs: number;
  };
  readonly errors: readonly ConditionError[];
  /** Present on an `allow` or `approve` decision whose rules oblige redaction or withholding. */
  readonly obligations?: Obligations;
  /**
   * The quota rules that select this call (match and condition held): once it runs, it counts
   * toward each. Present when there is at least one.
   */
  readonly quotas?: readonly string[];
  /** The hash of the policy that decided. */
  readonly policy: string;
}

/** Why a rule did or did not apply, as `explain` reports it. */
export interface RuleTrace {
  readonly id: string;
  readonly effect: Effect;
  readonly applied: boolean;
  /** The stage that decided: `match` (selector), `when` (condition), `require`, `quota` (the agent's count), or `skipped`. */
  readonly stage: 'match' | 'when' | 'require' | 'quota' | 'skipped';
  /** A sentence: why it applied or why not. */
  readonly why: string;
  readonly location: SourceLocation;
}

/** A decision with the trace of every rule. */
export interface Explanation {
  readonly decision: Decision;
  readonly rules: readonly RuleTrace[];
}

/** The result of running one `tests:` case. */
export interface PolicyTestResult {
  readonly name: string;
  readonly passed: boolean;
  readonly expected: Effect;
  readonly actual: Effect;
  /** Why it failed, when it did. */
  readonly failure?: string;
  readonly decision: Decision;
  readonly location: SourceLocation;
}
