import { type ConditionOutcome, evaluateCondition } from './cel.js';
import { internalsOf, type PolicyInternals, type RuleRuntime } from './compiled.js';
import { anyGlobMatches, compileGlob } from './glob.js';
import {
  buildActivation,
  type CheckedRequest,
  checkRequest,
  isRejection,
  requestLabels,
  unmetRequirement,
  withOrigin,
  withProvenance,
} from './request.js';
import type {
  AgentIdentity,
  AppliedRule,
  ApprovalRequirement,
  CompiledPolicy,
  ConditionError,
  Decision,
  DecisionReasonCode,
  DecisionRequestInput,
  Obligations,
  RuleQuota,
} from './types.js';

/** Grant patterns compiled per policy; agents from the registry bring their own. */
const MAX_CACHED_GRANT_GLOBS = 10_000;

/**
 * The PDP: decides `allow`, `deny` or `approve` for one tool call.
 *
 * Pure and synchronous: no I/O, and the same policy and request always give
 * the same decision (pass `now` to pin time-dependent conditions). It never
 * throws; a malformed request, or anything unexpected, is denied with a reason.
 *
 * The order is the contract (DESIGN §3): agent status, then the grant
 * ceiling, then the catalog, then rules with precedence deny > approve > allow.
 *
 * @example
 * ```ts
 * const d = decide(policy, { agent: 'email-assistant', tool: 'db.delete', args: { table: 'orders' } });
 * d.effect; // 'deny'
 * d.rules;  // [{ id: 'no-prod-delete', effect: 'deny', message: '…' }]
 * ```
 */
export function decide(policy: CompiledPolicy, request: DecisionRequestInput): Decision {
  const internals = internalsOf(policy);
  if (!internals) {
    return refusal('invalid-request', 'the policy was not produced by compilePolicy', '');
  }
  try {
    return decideChecked(policy, internals, request);
  } catch (err) {
    // Reaching here is a bug; the request still must not be allowed.
    const message = err instanceof Error ? err.message : String(err);
    return refusal('invalid-request', `internal error while deciding: ${message}`, policy.hash);
  }
}

function decideChecked(
  policy: CompiledPolicy,
  internals: PolicyInternals,
  input: DecisionRequestInput,
): Decision {
  const gate = preRuleGate(policy, internals, input);
  if (gate.decision) return gate.decision;
  const { request } = gate;
  const candidates = internals.candidatesByTool.get(request.tool)!;

  const applied: AppliedRule[] = [];
  const errors: ConditionError[] = [];
  const quotas: string[] = [];
  let activation: Record<string, unknown> | undefined;
  let labels: ReadonlySet<string> | undefined;
  for (const candidate of candidates) {
    if (candidate.agentGlobs && !agentMatches(candidate, request.agent)) continue;
    if (candidate.labels) {
      labels ??= requestLabels(request.input);
      if (!candidate.labels.some((l) => labels!.has(l))) continue;
    }
    let outcome: ConditionOutcome = true;
    if (candidate.condition) {
      activation ??= buildActivation(
        request,
        internals.toolActivations.get(request.tool)!,
        internals.stateWindows,
      );
      if (candidate.condition.variables.has('provenance')) withProvenance(activation, request);
      if (candidate.condition.variables.has('origin')) withOrigin(activation, request);
      outcome = evaluateCondition(candidate.condition, activation);
    }
    let unmet: string | undefined;
    if (outcome === true && candidate.rule.require) {
      unmet = unmetRequirement(candidate.rule.require, request);
      if (unmet === undefined) continue;
    }
    if (outcome === true && candidate.rule.quota) {
      quotas.push(candidate.rule.id);
      const standing = quotaStanding(candidate.rule.id, candidate.rule.quota, request.input.usage);
      if (standing.outcome === false) continue;
      outcome = standing.outcome;
      unmet = standing.note;
    }
    const result = applyOutcome(candidate, outcome, unmet);
    if (result.error) errors.push(result.error);
    if (result.applied) applied.push(result.applied);
  }
  return combine(policy, internals, request, applied, errors, quotas);
}

/**
 * Where the agent stands against a quota rule whose selector and condition hold: the rule
 * applies once the count the request carries reaches `max`. A count the request lacks fails
 * closed, as a condition that errors does (a quota rule is never `allow`).
 */
export function quotaStanding(
  ruleId: string,
  quota: RuleQuota,
  usage: Readonly<Record<string, number>> | undefined,
): { outcome: ConditionOutcome; note?: string } {
  const count = usage && Object.hasOwn(usage, ruleId) ? usage[ruleId] : undefined;
  if (count === undefined) {
    return {
      outcome: `the request carries no count of the agent's calls for quota rule '${ruleId}' (at most ${quota.max} per ${quota.per}), so the quota is taken as reached`,
    };
  }
  const note = `${count} of at most ${quota.max} per ${quota.per} already made`;
  return count >= quota.max ? { outcome: true, note } : { outcome: false, note };
}

/** The steps before rules run; shared with `explain` so both refuse alike. */
export function preRuleGate(
  policy: CompiledPolicy,
  internals: PolicyInternals,
  input: DecisionRequestInput,
): { decision: Decision; request?: undefined } | { decision?: undefined; request: CheckedRequest } {
  const checked = checkRequest(policy, input);
  if (isRejection(checked)) return { decision: refusal(checked.code, checked.reason, policy.hash) };
  const { agent, tool } = checked;
  if (agent.status !== 'active') {
    const code = `agent-${agent.status}` as DecisionReasonCode;
    return { decision: refusal(code, `agent '${agent.name}' is ${agent.status}`, policy.hash) };
  }
  if (!isGranted(internals, agent, tool)) {
    return {
      decision: refusal(
        'not-granted',
        `tool '${tool}' is not within the grants of agent '${agent.name}'`,
        policy.hash,
      ),
    };
  }
  const intent = checked.input.session?.intent;
  // Declared intents make the session's purpose a ceiling: once a policy
  // declares any, a session may only use the tools of the one it states.
  if (intent !== undefined && intent !== '' && internals.intentGlobs.size > 0) {
    const allowed = internals.intentGlobs.get(intent);
    if (!allowed) {
      return {
        decision: refusal(
          'unknown-intent',
          `session intent '${intent}' is not declared in the policy`,
          policy.hash,
        ),
      };
    }
    if (!anyGlobMatches(allowed, tool)) {
      return {
        decision: refusal(
          'outside-intent',
          `tool '${tool}' is outside the session's declared intent '${intent}'`,
          policy.hash,
        ),
      };
    }
  }
  if (!internals.candidatesByTool.has(tool)) {
    return {
      decision: refusal(
        'unknown-tool',
        `tool '${tool}' is not in the policy's tool catalog, so its risk is unknown`,
        policy.hash,
      ),
    };
  }
  return { request: checked };
}

function isGranted(internals: PolicyInternals, agent: AgentIdentity, tool: string): boolean {
  for (const pattern of agent.grants) {
    let glob = internals.grantGlobs.get(pattern);
    if (!glob) {
      if (internals.grantGlobs.size >= MAX_CACHED_GRANT_GLOBS) internals.grantGlobs.clear();
      glob = compileGlob(pattern);
      internals.grantGlobs.set(pattern, glob);
    }
    if (glob.test(tool)) return true;
  }
  return false;
}

/**
 * The quota rules whose agent, tool and category selectors cover a call: the counts the
 * enforcement path reads before deciding. Label selectors and conditions are left to `decide`
 * (reading a count that turns out not to matter costs a read, never a wrong decision). Empty,
 * at no cost, for a policy without quotas.
 */
export function quotaRulesFor(
  policy: CompiledPolicy,
  agent: AgentIdentity,
  tool: string,
): readonly { readonly id: string; readonly quota: RuleQuota }[] {
  const internals = internalsOf(policy);
  if (!internals?.hasQuotas) return [];
  const found: { id: string; quota: RuleQuota }[] = [];
  for (const candidate of internals.candidatesByTool.get(tool) ?? []) {
    const { quota, id } = candidate.rule;
    if (quota && agentMatches(candidate, agent)) found.push({ id, quota });
  }
  return found;
}

/** Whether a rule's agent selector covers the agent, by name or by id. */
export function agentMatches(rule: RuleRuntime, agent: AgentIdentity): boolean {
  return (
    !rule.agentGlobs ||
    anyGlobMatches(rule.agentGlobs, agent.name) ||
    anyGlobMatches(rule.agentGlobs, agent.id)
  );
}

/**
 * Turns a condition outcome into the rule's contribution. A condition that
 * errors holds for `deny` and `approve` rules and does not hold for `allow`
 * rules (DESIGN §3.4): an error can only ever make a decision stricter.
 */
export function applyOutcome(
  rule: RuleRuntime,
  outcome: ConditionOutcome,
  /** What the rule's `require` found unvouched for, or where its quota stands, said with the rule's message. */
  unmet?: string,
): { applied?: AppliedRule; error?: ConditionError } {
  if (outcome === false) return {};
  if (outcome === true) return { applied: appliedRule(rule, undefined, unmet) };
  const counted = rule.rule.effect !== 'allow';
  const error: ConditionError = { rule: rule.rule.id, message: outcome, counted };
  return counted ? { applied: appliedRule(rule, outcome), error } : { error };
}

function appliedRule(rule: RuleRuntime, error?: string, unmet?: string): AppliedRule {
  const { id, effect, message, description } = rule.rule;
  const stated = message ?? description ?? `rule '${id}' applies`;
  const text = unmet === undefined ? stated : `${stated} (${unmet})`;
  return error === undefined ? { id, effect, message: text } : { id, effect, message: text, error };
}

/** Precedence deny > approve > allow over the rules that applied. */
export function combine(
  policy: CompiledPolicy,
  internals: PolicyInternals,
  request: CheckedRequest,
  applied: readonly AppliedRule[],
  errors: readonly ConditionError[],
  /** The quota rules that select the call: it counts toward each once it runs. */
  selectedQuotas: readonly string[] = [],
): Decision {
  const quotas = selectedQuotas.length > 0 ? { quotas: selectedQuotas } : {};
  const denies = applied.filter((r) => r.effect === 'deny');
  const approves = applied.filter((r) => r.effect === 'approve');
  const errorReasons = errors.map(
    (e) =>
      `condition of rule '${e.rule}' failed (${e.message}); ${e.counted ? 'counted as holding (fail closed)' : 'counted as not holding'}`,
  );
  if (denies.length > 0) {
    return {
      effect: 'deny',
      code: 'rule-deny',
      reasons: [...denies.map((r) => `denied by rule '${r.id}': ${r.message}`), ...errorReasons],
      rules: applied,
      errors,
      ...quotas,
      policy: policy.hash,
    };
  }
  const obligations = obligationsOf(internals, applied, errors);
  if (approves.length > 0) {
    const requirements: ApprovalRequirement[] = approves.map((r) => {
      const spec = internals.rulesById.get(r.id)!.rule.approval!;
      return { rule: r.id, ...spec };
    });
    return {
      effect: 'approve',
      code: 'rule-approve',
      reasons: [...approves.map((r) => `approval required by rule '${r.id}': ${r.message}`), ...errorReasons],
      rules: applied,
      approval: { requirements, timeoutMs: Math.min(...requirements.map((r) => r.timeoutMs)) },
      errors,
      ...(obligations && { obligations }),
      ...quotas,
      policy: policy.hash,
    };
  }
  const allows = applied.filter((r) => r.effect === 'allow');
  const granted = `tool '${request.tool}' is within the grants of agent '${request.agent.name}' and no rule objects`;
  return {
    effect: 'allow',
    code: allows.length > 0 ? 'rule-allow' : 'granted',
    reasons: [...allows.map((r) => `allowed by rule '${r.id}': ${r.message}`), granted, ...errorReasons],
    rules: applied,
    errors,
    ...(obligations && { obligations }),
    ...quotas,
    policy: policy.hash,
  };
}

/**
 * The obligations of the rules that applied, and of every rule whose
 * condition failed: an allow rule that errors does not apply, but its
 * obligation still binds (an error never loosens what happens to an output).
 */
function obligationsOf(
  internals: PolicyInternals,
  applied: readonly AppliedRule[],
  errors: readonly ConditionError[],
): Obligations | undefined {
  if (!internals.hasObligations) return undefined;
  const redact = new Set<Obligations['redact'][number]>();
  const withhold = new Set<string>();
  const rules: string[] = [];
  for (const id of new Set([...applied.map((r) => r.id), ...errors.map((e) => e.rule)])) {
    const obligations = internals.rulesById.get(id)?.rule.obligations;
    if (!obligations) continue;
    rules.push(id);
    for (const c of obligations.redact) redact.add(c);
    for (const l of obligations.withhold) withhold.add(l);
  }
  return rules.length === 0 ? undefined : { redact: [...redact], withhold: [...withhold], rules };
}

/** A deny decided before any rule ran. */
function refusal(code: DecisionReasonCode, reason: string, policyHash: string): Decision {
  return { effect: 'deny', code, reasons: [reason], rules: [], errors: [], policy: policyHash };
}
