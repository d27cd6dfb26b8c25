import type { RedactionClass } from '../detectors/types.js';
import { withinGrants } from '../identity/scope.js';
import { decide } from '../policy/decide.js';
import type {
  AgentIdentity,
  CompiledPolicy,
  Decision,
  DecisionRequestInput,
  Obligations,
} from '../policy/types.js';
import { type InspectionSettings, inspectStep, observeLabelled, safeRedact, summaryOf } from './inspect.js';
import { argumentContentLabels } from './offline.js';
import type {
  InspectionSummary,
  PathAuditEvent,
  PathDenialCode,
  PathOutcome,
  PathPorts,
  PathRequest,
} from './path-contract.js';
import {
  isWellFormedSessionId,
  newSession,
  observeUserInput,
  originsInSession,
  provenanceInSession,
  recordCall,
  type SessionState,
} from './session.js';
import { needsUsage, readUsage } from './usage.js';
import {
  type ArgumentLimits,
  ArgumentValidator,
  checkArgumentLimits,
  DEFAULT_ARGUMENT_LIMITS,
} from './validate-args.js';

/**
 * The enforcement path of DESIGN §2, once, for every door:
 *
 *   authenticate → validate → rate limit → [usage] → decide → [approval] → execute → [usage] → inspect → audit
 *
 * The door authenticates (a bearer token, or the SDK's configured identity)
 * and hands over the agent; everything after that happens here, talking to
 * the world only through ports. Any port that fails ends the call in deny:
 * nothing in this module turns an error into an allow.
 */

/** One enforcement path; the policy is passed per call so reloads apply at once. */
export class EnforcementPath {
  readonly #readsProvenance = new WeakMap<CompiledPolicy, boolean>();

  constructor(
    private readonly ports: PathPorts,
    private readonly limits: ArgumentLimits = DEFAULT_ARGUMENT_LIMITS,
    private readonly inspection: InspectionSettings = {},
  ) {}

  /** Runs a call along the path. Never throws. */
  async enforce(policy: CompiledPolicy, request: PathRequest): Promise<PathOutcome> {
    const decisionId = this.ports.newId('dec');
    let outcome: PathOutcome;
    try {
      outcome = await this.run(policy, request, decisionId);
    } catch (err) {
      outcome = {
        status: 'denied',
        code: 'internal-error',
        reason: `the enforcement path failed: ${messageOf(err)}`,
        decisionId,
      };
    }
    // A call refused before the decision (scope, arguments, rate limit, session) is audited
    // here; the refusal stands whether or not that write succeeds.
    if (outcome.status === 'denied' && outcome.decision === undefined && this.ports.audit) {
      const sessionId = outcome.sessionId ?? (await this.ownSession(request));
      await this.ports
        .audit({
          ...this.auditSubject(request),
          type: 'decision',
          decisionId,
          args: request.args ?? {},
          status: 'denied',
          code: outcome.code,
          reason: outcome.reason,
          ...(sessionId !== undefined && { sessionId }),
        })
        .catch(() => undefined);
    }
    return outcome;
  }

  /**
   * The session a refused call named, if it is the agent's own: an agent must not be able to
   * write refusals into another agent's session recording by naming its id.
   */
  private async ownSession(request: PathRequest): Promise<string | undefined> {
    if (request.sessionId === undefined) return undefined;
    try {
      const session = await this.ports.sessions.get(request.sessionId);
      return session?.agentId === request.agent.id ? session.id : undefined;
    } catch {
      return undefined;
    }
  }

  /** Who acted and on what, as every audit event of a request says it. */
  private auditSubject(request: PathRequest) {
    return {
      agent: { id: request.agent.id, name: request.agent.name, owner: request.agent.owner },
      tool: request.tool,
      ...(request.user && { user: request.user }),
      ...(request.delegation && { delegation: request.delegation }),
      ...(request.resource && { resource: request.resource }),
      ...(request.reasoning !== undefined && { reasoning: request.reasoning }),
      ...(request.traceId !== undefined && { traceId: request.traceId }),
    };
  }

  private async run(policy: CompiledPolicy, request: PathRequest, decisionId: string): Promise<PathOutcome> {
    const now = this.ports.now ?? Date.now;
    const started = now();
    const args = request.args ?? {};
    const deny = (
      code: PathDenialCode,
      reason: string,
      extra: { sessionId?: string; decision?: Decision; retryAfterMs?: number } = {},
    ): PathOutcome => ({
      status: 'denied',
      code,
      reason,
      decisionId,
      ...extra,
    });

    // 1. The token's scopes are a ceiling below the agent's grants.
    if (request.tokenScopes && !withinGrants(request.tool, request.tokenScopes)) {
      return deny('not-in-token-scope', `tool '${request.tool}' is not within the token's scopes`);
    }
    if (this.ports.toolGate) {
      const blocked = await this.ports.toolGate(request.tool);
      if (blocked !== undefined) return deny(blocked.code, blocked.reason);
    }
    // 2. Validate: limits first (they bound the cost of everything after), then the schema.
    const problem =
      checkArgumentLimits(args, this.limits) ?? this.validatorFor(policy).validate(request.tool, args);
    if (problem) return deny('invalid-arguments', `${problem.path}: ${problem.message}`);
    if (request.sessionId !== undefined && !isWellFormedSessionId(request.sessionId)) {
      return deny('invalid-session-id', 'a session id is 1 to 128 characters among A-Z a-z 0-9 . _ : -');
    }
    // 3. Rate limit.
    if (this.ports.rateLimit) {
      let verdict: Awaited<ReturnType<NonNullable<PathPorts['rateLimit']>>>;
      try {
        verdict = await this.ports.rateLimit(request.agent.id, request.tool);
      } catch (err) {
        return deny(
          'rate-limiter-unavailable',
          `the rate limiter is unavailable (${messageOf(err)}); calls are refused until it answers`,
        );
      }
      if (!verdict.allowed) {
        return deny(
          'rate-limited',
          `rate limit reached; retry after ${Math.ceil(verdict.retryAfterMs / 1000)} s`,
          { retryAfterMs: verdict.retryAfterMs },
        );
      }
    }
    // Session: bound to its agent; provenance of this call's arguments.
    let session: SessionState;
    try {
      const found = request.sessionId ? await this.ports.sessions.get(request.sessionId) : undefined;
      if (found && found.agentId !== request.agent.id) {
        return deny('session-not-owned', 'the session belongs to another agent');
      }
      session = found ?? newSession(request.sessionId ?? this.ports.newId('ses'), request.agent.id, now());
      if (request.sessionId !== undefined) {
        delete session.transient;
        delete session.unnamed;
      } else if (!this.readsProvenance(policy)) session.transient = true;
      else session.unnamed = true;
    } catch (err) {
      return deny('session-store-unavailable', `the session store is unavailable (${messageOf(err)})`);
    }
    if (request.intent !== undefined && session.intent === undefined) session.intent = request.intent;
    if (request.userInput !== undefined) observeUserInput(session, request.userInput);
    if (request.endorsed !== undefined) observeUserInput(session, request.endorsed, true);
    const sessionId = session.id;
    const readsProvenance = this.readsProvenance(policy);

    // 4. Decide, with the agent's counts under the quota rules that select the call.
    const input: DecisionRequestInput = {
      agent: request.agent,
      tool: request.tool,
      args,
      session: {
        id: session.id,
        labels: [...session.labels],
        calls: session.calls.length,
        ...(session.intent !== undefined && { intent: session.intent }),
      },
      // An argument holding a secret or PII carries that label too, so that policy can refuse
      // to send it out (`"secret" in provenance["body"]`, `match: { labels: [secret] }`).
      // Built only for a policy that reads it: fingerprinting and scanning every argument is the
      // path's costliest step, and decide() looks at provenance only through a condition or labels.
      ...(readsProvenance && {
        provenance: provenanceInSession(session, args, argumentContentLabels),
        ...originsInSession(session, args),
      }),
      ...(request.resource && { resource: request.resource }),
      ...(request.user && { user: request.user }),
      ...(request.delegation && { delegation: request.delegation }),
      ...(request.context && { context: request.context }),
      ...(request.reasoning !== undefined && { reasoning: request.reasoning }),
    };
    // Places are held only under the rules whose selector and condition hold (a first decision
    // without counts names them): a call a quota does not cover must not crowd it.
    const reading = await readUsage(
      this.ports.usage,
      policy,
      request.agent,
      request.tool,
      () => decide(policy, input).quotas ?? [],
    );
    const decision = decide(policy, reading.usage ? { ...input, usage: reading.usage } : input);
    // Refused like a rate limit, before any decision is written: the quota could not be counted.
    const uncounted = needsUsage(reading, decision);
    if (uncounted !== undefined) return deny('usage-unavailable', uncounted, { sessionId });
    const subject = this.auditSubject(request);
    // Arguments the audit keeps are redacted as the obligations say (DESIGN §6: "redacted where DLP says so").
    // A detected secret is never kept, whatever the policy says; the hash binds the exact args.
    const redactArgs: RedactionClass[] = [
      ...new Set<RedactionClass>(['secret', ...(decision.obligations?.redact ?? [])]),
    ];
    // Only paid for where there is an audit to keep them (the in-process SDK has none).
    const argsRedacted = this.ports.audit
      ? (safeRedact(args, redactArgs) as Readonly<Record<string, unknown>>)
      : undefined;
    const audit = async (
      event: Pick<PathAuditEvent, 'type' | 'decision' | 'status'> & Partial<PathAuditEvent>,
    ) => {
      await this.ports.audit?.({
        ...subject,
        ...event,
        decisionId,
        sessionId,
        args,
        ...(argsRedacted !== undefined && { argsRedacted }),
        ...(session.intent !== undefined && { intent: session.intent }),
        ...(event.type === 'decision' && request.endorsed !== undefined && { endorsed: request.endorsed }),
      });
    };
    const finish = async (outcome: PathOutcome): Promise<PathOutcome> => {
      // A call that did not run gives back the places it held under its quotas (no-op once kept).
      await reading.hold?.release();
      recordCall(session, {
        tool: request.tool,
        effect: decision.effect,
        at: now(),
        ...(outcome.status === 'executed'
          ? { outcome: 'succeeded' }
          : outcome.status === 'failed'
            ? { outcome: 'failed' }
            : {}),
      });
      await this.ports.sessions.put(session);
      return outcome;
    };

    /** Write-ahead: an event that must be durable before the call goes on; a failure refuses it. */
    const writeAhead = async (event: Parameters<typeof audit>[0]): Promise<PathOutcome | undefined> => {
      try {
        await audit(event);
        return undefined;
      } catch (err) {
        return finish(
          deny('audit-unavailable', `the audit log is unavailable (${messageOf(err)}); the call is refused`, {
            sessionId,
            decision,
          }),
        );
      }
    };
    const refused = await writeAhead({
      type: 'decision',
      decision,
      status:
        decision.effect === 'deny'
          ? 'denied'
          : decision.effect === 'approve'
            ? 'approval-required'
            : 'allowed',
    });
    if (refused) return refused;
    if (decision.effect === 'deny') {
      return finish(deny('policy', decision.reasons[0] ?? 'denied by policy', { sessionId, decision }));
    }
    // 5. Approval.
    let approvalId: string | undefined;
    if (decision.effect === 'approve') {
      if (!this.ports.approvals)
        return finish({ status: 'approval-required', decision, decisionId, sessionId });
      let verdict: Awaited<ReturnType<NonNullable<PathPorts['approvals']>>>;
      try {
        verdict = await this.ports.approvals(request, decision, { decisionId, sessionId });
      } catch (err) {
        return finish(
          deny('approval-unavailable', `the approval service is unavailable (${messageOf(err)})`, {
            sessionId,
            decision,
          }),
        );
      }
      if (verdict.status === 'denied')
        return finish(deny('approval-denied', verdict.reason, { sessionId, decision }));
      if (verdict.status === 'pending') {
        return finish({
          status: 'approval-required',
          decision,
          decisionId,
          sessionId,
          approval: { id: verdict.id, expiresAt: verdict.expiresAt },
        });
      }
      approvalId = verdict.id;
      // The approval is spent: that is durable before the call runs.
      const unrecorded = await writeAhead({ type: 'decision', decision, status: 'allowed', approvalId });
      if (unrecorded) return unrecorded;
    }
    // 6. Execute — or, with no executor, hand the go-ahead to the PEP.
    const spent = approvalId !== undefined ? { approvalId } : {};
    if (!this.ports.execute) {
      // The PEP runs the call once told it may: it counts toward its quotas now, or is refused.
      try {
        await reading.hold?.keep(decision.quotas ?? []);
      } catch (err) {
        const reason = `the usage store is unavailable (${messageOf(err)}); the call is refused`;
        await audit({
          type: 'decision',
          decision,
          status: 'denied',
          code: 'usage-unavailable',
          reason,
        }).catch(() => undefined);
        return finish(deny('usage-unavailable', reason, { sessionId, decision }));
      }
      return finish({ status: 'allowed', decision, decisionId, sessionId, ...spent });
    }
    let output: unknown;
    try {
      output = await this.ports.execute(request.tool, args);
    } catch (err) {
      const failed: PathOutcome = {
        status: 'failed',
        decision,
        decisionId,
        sessionId,
        error: messageOf(err),
      };
      await audit({
        type: 'execution',
        decision,
        status: 'failed',
        // An executor's error may quote what it was given or told: no detected secret is kept.
        reason: String(safeRedact(messageOf(err), ['secret'])),
        durationMs: now() - started,
        ...spent,
      }).catch(() => undefined);
      return finish(failed);
    }
    // The call has run: it counts, whether or not the store can say so now (a place it cannot
    // re-score stays held, and counted, until its window passes).
    await reading.hold?.keep(decision.quotas ?? []).catch(() => undefined);
    // 7. Inspect: detector labels join the catalog's in the session, with the output's fingerprints;
    // the output is redacted or withheld as the decision's obligations say.
    const inspected = await inspectStep(
      output,
      policy.tools.get(request.tool)?.labels ?? [],
      decision.obligations,
      this.inspection,
    );
    observeLabelled(session, output, inspected);
    // 8. Audit the outcome.
    await audit({
      type: 'execution',
      decision,
      status: 'executed',
      output: inspected.audited,
      labels: inspected.labels,
      durationMs: now() - started,
      ...spent,
    }).catch(() => undefined);
    return finish({
      status: 'executed',
      decision,
      decisionId,
      sessionId,
      output: inspected.delivered,
      labels: inspected.labels,
      inspection: summaryOf(inspected),
      ...spent,
    });
  }

  /**
   * Inspect and record an output that a PEP produced itself after an
   * `allowed` decision (the decision API's outcome report).
   */
  async recordOutcome(
    policy: CompiledPolicy,
    report: {
      agent: Pick<AgentIdentity, 'id' | 'name' | 'owner'>;
      decisionId: string;
      sessionId: string;
      tool: string;
      output: unknown;
      /** The PEP's word on whether the call worked. */
      failed?: string;
      traceId?: string;
      /** The obligations of the decision that allowed the call. */
      obligations?: Obligations;
    },
  ): Promise<
    { labels: readonly string[]; output: unknown; inspection: InspectionSummary } | { error: string }
  > {
    const session = await this.ports.sessions.get(report.sessionId);
    if (!session) return { error: 'unknown or expired session' };
    if (session.agentId !== report.agent.id) return { error: 'the session belongs to another agent' };
    const inspected = await inspectStep(
      report.output,
      policy.tools.get(report.tool)?.labels ?? [],
      report.obligations,
      this.inspection,
    );
    const labels = inspected.labels;
    observeLabelled(session, report.output, inspected);
    await this.ports.sessions.put(session);
    await this.ports
      .audit?.({
        type: 'execution',
        decisionId: report.decisionId,
        sessionId: report.sessionId,
        agent: report.agent,
        tool: report.tool,
        args: {},
        status: report.failed === undefined ? 'executed' : 'failed',
        output: inspected.audited,
        labels,
        ...(report.failed !== undefined && { reason: report.failed }),
        ...(report.traceId !== undefined && { traceId: report.traceId }),
      })
      .catch(() => undefined);
    return { labels, output: inspected.delivered, inspection: summaryOf(inspected) };
  }

  /** Whether any rule could read provenance: a condition naming it or `origin`, a `labels` match, a `require`. */
  private readsProvenance(policy: CompiledPolicy): boolean {
    let reads = this.#readsProvenance.get(policy);
    if (reads === undefined) {
      reads = policy.rules.some(
        (r) =>
          r.when?.includes('provenance') ||
          r.when?.includes('origin') ||
          r.require !== undefined ||
          (r.match.labels?.length ?? 0) > 0,
      );
      this.#readsProvenance.set(policy, reads);
    }
    return reads;
  }

  private validatorFor(policy: CompiledPolicy): ArgumentValidator {
    let validator = VALIDATORS.get(policy);
    if (!validator) {
      validator = new ArgumentValidator(policy);
      VALIDATORS.set(policy, validator);
    }
    return validator;
  }
}

/**
 * A policy's compiled argument schemas, shared by every path that enforces it: compiling a
 * schema costs far more than a decision, and a replay builds one path per recorded run.
 * INVARIANT: a CompiledPolicy is immutable, so its validator never goes stale.
 */
const VALIDATORS = new WeakMap<CompiledPolicy, ArgumentValidator>();

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
