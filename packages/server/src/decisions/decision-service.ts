import {
  type AgentIdentity,
  type AuditWhere,
  EnforcementPath,
  type InspectionSettings,
  type Obligations,
  type PathAuditEvent,
  type PathOutcome,
  type PathPorts,
  type PathRequest,
  type SessionState,
  type UsagePort,
  type VerifiedIdentity,
} from '@gatehouse/core';
import type { AuditSink } from '../audit/audit-log.js';
import { pathEventDraft } from '../audit/drafts.js';
import { type AccessTokenVerifier, TokenError } from '../identity/access-tokens.js';
import { newId } from '../identity/agent-admin.js';
import type { AgentRecord } from '../identity/identity-store.js';
import type { RegistryCache } from '../identity/registry-cache.js';
import type { PolicyRuntime } from '../policy/runtime.js';
import { OutcomeWindow } from './outcome-window.js';
import type { PersistentSessionStore } from './persistent-sessions.js';
import type { AgentRateLimiter } from './rate-limiter.js';

/** Sessions the MCP gateway keeps for its agents; no caller may name one. */
export const GATEWAY_SESSION_PREFIX = 'ses_gw_';

/** How long a PEP may take to report the outcome of an allowed decision. */
const OUTCOME_WINDOW_MS = 15 * 60_000;
const MAX_PENDING_OUTCOMES = 100_000;

/** An authenticated caller of the decision API. */
export interface Caller {
  readonly agent: AgentIdentity;
  readonly token: VerifiedIdentity;
}

/** One evaluation, as the AuthZEN API carries it after defaults are applied. */
export interface Evaluation {
  readonly subject?: { readonly type?: string; readonly id?: string };
  readonly action?: { readonly name?: string };
  readonly resource?: {
    readonly type?: string;
    readonly id?: string;
    readonly properties?: Record<string, unknown>;
  };
  readonly context?: Record<string, unknown>;
}

/** The AuthZEN answer: a boolean and the why. */
export interface EvaluationResult {
  readonly decision: boolean;
  readonly context: Record<string, unknown>;
}

/**
 * Door 1 of DESIGN §2: the decision API runs the enforcement path without an
 * executor (the PEP calling it executes the tool) and remembers allowed
 * decisions so the PEP can report their outcome for inspection.
 */
export class DecisionService {
  readonly path: EnforcementPath;
  readonly #awaitingOutcome = new OutcomeWindow<{
    agentId: string;
    sessionId: string;
    tool: string;
    obligations?: Obligations;
  }>(MAX_PENDING_OUTCOMES, OUTCOME_WINDOW_MS);

  constructor(
    private readonly deps: PathComponents & {
      runtime: PolicyRuntime;
      cache: RegistryCache;
      verifier: AccessTokenVerifier;
      audience: readonly string[];
    },
  ) {
    this.path = new EnforcementPath(
      sharedPathPorts(deps, () => ({ door: 'decision-api' })),
      undefined,
      deps.inspection,
    );
  }

  /** The agent behind a bearer token, or why there is none (always with the reason, never the token). */
  async authenticate(
    authorization: string | undefined,
    audience: readonly string[] = this.deps.audience,
  ): Promise<Caller | { error: 'invalid_request' | 'invalid_token'; description: string }> {
    const match = authorization?.match(/^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i);
    if (!match) return { error: 'invalid_request', description: 'a bearer access token is required' };
    let token: VerifiedIdentity;
    try {
      token = await this.deps.verifier.verify(match[1]!, { audience });
    } catch (err) {
      return {
        error: 'invalid_token',
        description: err instanceof TokenError ? err.message : 'the token is invalid',
      };
    }
    const record = this.deps.cache.agent(token.agentId);
    if (!record) return { error: 'invalid_token', description: 'the token names an unknown agent' };
    return { agent: identityOf(record), token };
  }

  /** One AuthZEN evaluation along the enforcement path. */
  async evaluate(caller: Caller, evaluation: Evaluation, traceId?: string): Promise<EvaluationResult> {
    const refuse = (reason: string, code: string): EvaluationResult => ({
      decision: false,
      context: { code, reasons: [reason] },
    });
    const subject = evaluation.subject;
    if (subject?.id !== undefined && subject.id !== caller.agent.id && subject.id !== caller.agent.name) {
      return refuse('the subject is not the agent the token was issued to', 'subject-mismatch');
    }
    if (evaluation.action?.name !== undefined && evaluation.action.name !== 'tools/call') {
      return refuse(
        `action '${evaluation.action.name}' is not supported; use 'tools/call'`,
        'unsupported-action',
      );
    }
    if (evaluation.resource?.type !== undefined && evaluation.resource.type !== 'tool') {
      return refuse(
        `resource type '${evaluation.resource.type}' is not supported; use 'tool'`,
        'unsupported-resource',
      );
    }
    const tool = evaluation.resource?.id;
    if (typeof tool !== 'string' || tool === '')
      return refuse('resource.id must name the tool', 'invalid-request');
    const context = evaluation.context ?? {};
    const args = context.args;
    if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
      return refuse('context.args must be an object', 'invalid-arguments');
    }
    const { args: _args, session_id, intent, reasoning, user_input, endorse, ...callerContext } = context;
    // Another door's sessions are not this caller's to create or to write refusals into.
    if (typeof session_id === 'string' && session_id.startsWith(GATEWAY_SESSION_PREFIX))
      return refuse(
        `session ids starting '${GATEWAY_SESSION_PREFIX}' belong to the MCP gateway`,
        'session-reserved',
      );
    const request: PathRequest = {
      agent: caller.agent,
      tokenScopes: caller.token.scopes,
      tool,
      ...(args !== undefined && { args: args as Record<string, unknown> }),
      ...(typeof session_id === 'string' && { sessionId: session_id }),
      ...(typeof intent === 'string' && { intent }),
      ...(typeof reasoning === 'string' && { reasoning }),
      ...(user_input !== undefined && { userInput: user_input }),
      // The PEP's application endorses a value as the user's choice (never the model's word).
      ...(endorse !== undefined && { endorsed: endorse }),
      ...(evaluation.resource?.properties && { resource: evaluation.resource.properties }),
      ...(caller.token.userSubject !== undefined && {
        user: {
          id: caller.token.userSubject,
          ...(caller.token.userEmail !== undefined && { email: caller.token.userEmail }),
        },
      }),
      delegation: { depth: caller.token.claims.gh_depth ?? 0, chain: [...caller.token.delegationChain] },
      context: callerContext,
      ...(traceId !== undefined && { traceId }),
    };
    const outcome = await this.path.enforce(this.deps.runtime.policy, request);
    if (outcome.status === 'allowed')
      this.awaitOutcome(
        outcome.decisionId,
        caller.agent.id,
        outcome.sessionId,
        tool,
        outcome.decision.obligations,
      );
    return resultOf(outcome);
  }

  /** A PEP reports what an allowed call returned: the output is inspected and labels the session. */
  async outcome(
    caller: Caller,
    decisionId: string,
    output: unknown,
    failed = false,
    traceId?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const pending = this.#awaitingOutcome.get(decisionId);
    if (!pending)
      return {
        status: 404,
        body: { error: 'not_found', message: 'no allowed decision with that id awaits an outcome' },
      };
    if (pending.agentId !== caller.agent.id)
      return { status: 403, body: { error: 'forbidden', message: 'the decision belongs to another agent' } };
    this.#awaitingOutcome.delete(decisionId);
    const result = await this.path.recordOutcome(this.deps.runtime.policy, {
      agent: caller.agent,
      decisionId,
      sessionId: pending.sessionId,
      tool: pending.tool,
      output,
      ...(failed && { failed: 'the PEP reported the call failed' }),
      ...(traceId !== undefined && { traceId }),
      ...(pending.obligations && { obligations: pending.obligations }),
    });
    if ('error' in result) return { status: 409, body: { error: 'conflict', message: result.error } };
    return {
      status: 200,
      // The output as the agent may see it: the PEP delivers this, not what the tool returned.
      body: {
        decision_id: decisionId,
        session_id: pending.sessionId,
        labels: result.labels,
        output: result.output,
        withheld: result.inspection.withheld,
      },
    };
  }

  private awaitOutcome(
    decisionId: string,
    agentId: string,
    sessionId: string,
    tool: string,
    obligations?: Obligations,
  ): void {
    this.#awaitingOutcome.add(decisionId, { agentId, sessionId, tool, ...(obligations && { obligations }) });
  }
}

/** The components one enforcement path talks to; every door builds its path from these. */
export interface PathComponents {
  sessions: PersistentSessionStore;
  limiter: AgentRateLimiter;
  approvals?: PathPorts['approvals'];
  audit?: AuditSink;
  /** Told the full error when a component fails; callers only learn which one. */
  onPortError?: (what: string, err: unknown) => void;
  /** How outputs are inspected (the injection threshold, the size cap). */
  inspection?: InspectionSettings;
}

/**
 * The ports every door's path shares (sessions, rate limits, quota counts, approvals, the
 * audit), so that no door has a private copy of a step. `place` says where
 * an audited call came in.
 */
export function sharedPathPorts(
  deps: PathComponents,
  place: (event: PathAuditEvent) => Omit<AuditWhere, 'node'>,
): PathPorts {
  // A failing component is logged in full here; the agent is told only which one failed,
  // never a store's address or a driver's message.
  const opaque =
    <A extends unknown[], R>(what: string, port: (...args: A) => Promise<R> | R) =>
    async (...args: A): Promise<R> => {
      try {
        return await port(...args);
      } catch (err) {
        deps.onPortError?.(what, err);
        throw new Error(`${what} failed`);
      }
    };
  const { approvals, audit } = deps;
  return {
    sessions: {
      get: opaque('reading the session', (id: string) => deps.sessions.get(id)),
      put: opaque('writing the session', (session: SessionState) => deps.sessions.put(session)),
    },
    rateLimit: opaque('the rate limiter', (agentId: string, tool: string) =>
      deps.limiter.consume(agentId, tool),
    ),
    usage: {
      hold: opaque('the usage store', async (rules: Parameters<UsagePort['hold']>[0], agentId: string) => {
        const held = await deps.limiter.usage.hold(rules, agentId);
        return {
          counts: held.counts,
          keep: opaque('the usage store', (ruleIds: readonly string[]) => held.keep(ruleIds)),
          release: () => held.release(),
        };
      }),
    },
    ...(approvals && { approvals: opaque('the approval service', approvals) }),
    ...(audit && {
      audit: opaque('the audit write', async (event: PathAuditEvent) => {
        // An outcome is not written ahead of anything: the call has run. It is written behind,
        // with the next commit, instead of holding the answer (or the next call's decision,
        // queued behind its sync) for a disk sync of its own; a failure is logged.
        const behind = event.type === 'execution';
        const appended = audit.append(pathEventDraft(event, place(event)), { behind });
        if (behind) {
          appended.catch((err: unknown) => deps.onPortError?.('the audit write of an outcome', err));
          return;
        }
        await appended;
      }),
    }),
    newId: (prefix) => newId(prefix),
  };
}

/** The PDP's view of a registry agent. */
export function identityOf(record: AgentRecord): AgentIdentity {
  return {
    id: record.id,
    name: record.name,
    owner: record.owner,
    status: record.status,
    grants: record.grants,
    classification: record.classification,
    labels: record.labels,
  };
}

/** AuthZEN response for a path outcome: `decision` is true only when the call may run. */
function resultOf(outcome: PathOutcome): EvaluationResult {
  const base = {
    decision_id: outcome.decisionId,
    ...('sessionId' in outcome && outcome.sessionId !== undefined && { session_id: outcome.sessionId }),
  };
  switch (outcome.status) {
    case 'allowed':
    case 'executed':
      return {
        decision: true,
        context: {
          ...base,
          code: outcome.approvalId !== undefined ? 'approved' : outcome.decision.code,
          reasons:
            outcome.approvalId !== undefined
              ? [`released by approval ${outcome.approvalId}, now used`, ...outcome.decision.reasons]
              : outcome.decision.reasons,
          rules: outcome.decision.rules,
          ...(outcome.approvalId !== undefined && { approval: { id: outcome.approvalId, status: 'used' } }),
          // A PEP must hand the model what `/outcome` returns, not the raw output, when these apply.
          ...(outcome.decision.obligations && {
            obligations: {
              redact: outcome.decision.obligations.redact,
              withhold: outcome.decision.obligations.withhold,
            },
          }),
        },
      };
    case 'approval-required':
      return {
        decision: false,
        context: {
          ...base,
          code: 'approval-required',
          reasons: outcome.decision.reasons,
          rules: outcome.decision.rules,
          approval: {
            ...(outcome.approval && {
              id: outcome.approval.id,
              expires_at: outcome.approval.expiresAt.toISOString(),
            }),
            status: 'pending',
            requirements: (outcome.decision.approval?.requirements ?? []).map((r) => ({
              rule: r.rule,
              approvers: r.approvers,
              groups: r.groups,
              timeout_s: Math.round(r.timeoutMs / 1000),
              denials: r.denials,
              allow_self_approval: r.allowSelfApproval,
            })),
          },
        },
      };
    case 'denied':
      return {
        decision: false,
        context: {
          ...base,
          code: outcome.code === 'policy' ? (outcome.decision?.code ?? 'policy') : outcome.code,
          reasons:
            outcome.code === 'policy' ? (outcome.decision?.reasons ?? [outcome.reason]) : [outcome.reason],
          ...(outcome.decision && { rules: outcome.decision.rules }),
          ...(outcome.retryAfterMs !== undefined && { retry_after: Math.ceil(outcome.retryAfterMs / 1000) }),
        },
      };
    case 'failed':
      return { decision: false, context: { ...base, code: 'failed', reasons: [outcome.error] } };
  }
}
