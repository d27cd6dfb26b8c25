import type { DetectorFinding } from '../detectors/types.js';
import type { AgentIdentity, Decision, DelegationInput } from '../policy/types.js';
import type { SessionState } from './session.js';

/*
 * The enforcement path's contract with its doors and ports: what a door asks
 * (PathRequest), what the path answers (PathOutcome), and the outside world as
 * the path sees it (PathPorts). enforce.ts runs the path over these.
 */

/** Why a call was refused, as a stable code. */
export type PathDenialCode =
  | 'not-in-token-scope'
  | 'tool-definition-changed'
  | 'tool-description-suspect'
  | 'tool-not-listed'
  | 'invalid-arguments'
  | 'rate-limited'
  | 'rate-limiter-unavailable'
  | 'usage-unavailable'
  | 'session-not-owned'
  | 'invalid-session-id'
  | 'session-store-unavailable'
  | 'policy'
  | 'audit-unavailable'
  | 'approval-denied'
  | 'approval-unavailable'
  | 'internal-error';

/** What a door asks the path. */
export interface PathRequest {
  /** The authenticated agent. */
  readonly agent: AgentIdentity;
  /** The scopes of the token the agent presented, when it presented one: a ceiling below its grants. */
  readonly tokenScopes?: readonly string[];
  readonly tool: string;
  readonly args?: Readonly<Record<string, unknown>>;
  /** Supplied by the caller, or minted by the path. */
  readonly sessionId?: string;
  /** The session's declared intent, fixed by the first call that states one. */
  readonly intent?: string;
  /** Values the user supplied for this run (a prompt, form fields): labelled `user_input`. */
  readonly userInput?: unknown;
  /**
   * Values or an output the application (never the model) endorses as the user's choice —
   * the file the user pointed at, the contact they picked: origin `user_input` and `endorsed`.
   */
  readonly endorsed?: unknown;
  readonly user?: Readonly<Record<string, unknown>>;
  readonly delegation?: DelegationInput;
  readonly resource?: Readonly<Record<string, unknown>>;
  readonly context?: Readonly<Record<string, unknown>>;
  readonly reasoning?: string;
  /** The trace the call belongs to (W3C trace id or a request id), for the audit. */
  readonly traceId?: string;
}

/** An event for the audit port: the decision before execution, the outcome after. */
export interface PathAuditEvent {
  readonly type: 'decision' | 'execution';
  readonly decisionId: string;
  /** Absent only for a call refused before its session was read. */
  readonly sessionId?: string;
  readonly agent: Pick<AgentIdentity, 'id' | 'name' | 'owner'>;
  readonly user?: Readonly<Record<string, unknown>>;
  readonly delegation?: DelegationInput;
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The arguments as the audit may keep them, when an obligation redacted them (`args` stays exact, for its hash). */
  readonly argsRedacted?: Readonly<Record<string, unknown>>;
  readonly resource?: Readonly<Record<string, unknown>>;
  readonly reasoning?: string;
  readonly intent?: string;
  /** Values the application endorsed as the user's choice with this call. */
  readonly endorsed?: unknown;
  readonly decision?: Decision;
  readonly status: PathOutcome['status'];
  readonly code?: string;
  readonly reason?: string;
  /** The approval this call spent. */
  readonly approvalId?: string;
  /** The tool's output for an execution event: secrets, and what the obligations name, redacted. */
  readonly output?: unknown;
  /** Labels the inspect step put on the output. */
  readonly labels?: readonly string[];
  readonly traceId?: string;
  readonly durationMs?: number;
}

/** Why a tool may not be called at all right now. */
export interface ToolBlock {
  readonly code: 'tool-definition-changed' | 'tool-description-suspect' | 'tool-not-listed';
  readonly reason: string;
}

/**
 * A place held for one call under each quota rule it may fall under, from before its decision
 * until it has run or been refused. Other calls count it while it is held, so calls racing at
 * the edge of a quota each see the others, and only `max` of them can pass.
 */
export interface UsageHold {
  /** The agent's calls under each rule (in the order asked), running or held ones included; this one not. */
  readonly counts: readonly number[];
  /** The call ran: it counts toward these rules from now on, and the other places are given back. */
  keep(ruleIds: readonly string[]): Promise<void>;
  /** The call did not run: the places not kept are given back. Idempotent; never rejects. */
  release(): Promise<void>;
}

/**
 * Counts of the calls an agent made under each quota rule, for the policy's `quota:` rules.
 * Shared by every door (and every replica) that enforces the same policy.
 */
export interface UsagePort {
  /**
   * Counts the agent's calls under each rule within its window and, in the same atomic step,
   * holds a place for this call under each: counting and recording in two steps would let a
   * burst of N concurrent calls pass a quota by N - 1.
   */
  hold(
    rules: readonly { readonly id: string; readonly windowMs: number }[],
    agentId: string,
  ): Promise<UsageHold>;
}

/** The outside world, as the path sees it. Optional ports switch their step off. */
export interface PathPorts {
  /** Per agent and per agent×tool; resolves whether the call may proceed. */
  readonly rateLimit?: (
    agentId: string,
    tool: string,
  ) => Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }>;
  /**
   * Counts for quota rules. Absent: a call a quota rule selects is refused (a policy with
   * quotas needs a store); a policy without quotas never touches it.
   */
  readonly usage?: UsagePort;
  readonly sessions: {
    get(id: string): Promise<SessionState | undefined> | SessionState | undefined;
    put(session: SessionState): Promise<void> | void;
  };
  /**
   * Creates or matches the approval for an `approve` decision: `approved`
   * only when an approval of this exact action was granted and is now spent
   * by this call.
   */
  readonly approvals?: (
    request: PathRequest,
    decision: Decision,
    ids: { readonly decisionId: string; readonly sessionId: string },
  ) => Promise<
    | { status: 'approved'; id: string }
    | { status: 'pending'; id: string; expiresAt: Date }
    | { status: 'denied'; reason: string }
  >;
  /**
   * Whether the tool itself may be called now, whatever the arguments: the gateway blocks a
   * tool whose upstream definition changed since it was approved. A reason refuses the call.
   */
  readonly toolGate?: (tool: string) => Promise<ToolBlock | undefined> | ToolBlock | undefined;
  /** Durable audit write; a failure denies the call (DESIGN §2, step 8). */
  readonly audit?: (event: PathAuditEvent) => Promise<void>;
  /** Runs the tool. Absent: decision-only mode, where the PEP executes and reports the outcome. */
  readonly execute?: (tool: string, args: Readonly<Record<string, unknown>>) => Promise<unknown>;
  /** Ids for decisions and sessions. */
  readonly newId: (prefix: 'dec' | 'ses') => string;
  readonly now?: () => number;
}

/** The result of one pass along the path. */
export type PathOutcome =
  | {
      readonly status: 'denied';
      readonly code: PathDenialCode;
      readonly reason: string;
      readonly decisionId: string;
      readonly sessionId?: string;
      readonly decision?: Decision;
      readonly retryAfterMs?: number;
    }
  | {
      readonly status: 'approval-required';
      readonly decision: Decision;
      readonly decisionId: string;
      readonly sessionId: string;
      readonly approval?: { readonly id: string; readonly expiresAt: Date };
    }
  | {
      readonly status: 'allowed';
      readonly decision: Decision;
      readonly decisionId: string;
      readonly sessionId: string;
      /** The approval this call spent, when it needed one. */
      readonly approvalId?: string;
    }
  | {
      readonly status: 'executed';
      readonly decision: Decision;
      readonly decisionId: string;
      readonly sessionId: string;
      /** The output as the agent may see it: redacted or withheld per the decision's obligations. */
      readonly output: unknown;
      readonly labels: readonly string[];
      readonly inspection: InspectionSummary;
      readonly approvalId?: string;
    }
  | {
      readonly status: 'failed';
      readonly decision: Decision;
      readonly decisionId: string;
      readonly sessionId: string;
      readonly error: string;
    };

/** What the inspect step found and did, for the door and the operator. */
export interface InspectionSummary {
  /** Injection score, 0..1. */
  readonly score: number;
  /** Detector findings (spans, kinds, masked previews: never a secret's value). */
  readonly findings: readonly DetectorFinding[];
  readonly withheld: boolean;
  readonly redacted: boolean;
}
