import { evaluateCondition } from './cel.js';
import { selectsTool } from './compile-rules.js';
import { internalsOf, type RuleRuntime } from './compiled.js';
import { agentMatches, applyOutcome, combine, decide, preRuleGate, quotaStanding } from './decide.js';
import {
  buildActivation,
  type CheckedRequest,
  requestLabels,
  unmetRequirement,
  withOrigin,
  withProvenance,
} from './request.js';
import type {
  AppliedRule,
  CompiledPolicy,
  ConditionError,
  Decision,
  DecisionRequestInput,
  Explanation,
  RuleTrace,
} from './types.js';

/** The explanation of a request refused before any rule ran: every rule is skipped, saying why. */
export function refusedBeforeRules(policy: CompiledPolicy, decision: Decision): Explanation {
  const why = `not evaluated: ${decision.reasons[0] ?? 'the request was refused'}`;
  return {
    decision,
    rules: policy.rules.map((rule) => ({
      id: rule.id,
      effect: rule.effect,
      applied: false,
      stage: 'skipped',
      why,
      location: rule.location,
    })),
  };
}

/**
 * The decision for a request plus, for every rule in the policy, whether it
 * applied and why or why not. Slower than `decide` (it looks at every rule,
 * not only the indexed candidates), and meant for people: the CLI's
 * `policy explain` and the dashboard.
 *
 * INVARIANT: the decision is the one `decide` returns; a property test holds
 * the two together.
 */
export function explain(policy: CompiledPolicy, request: DecisionRequestInput): Explanation {
  const internals = internalsOf(policy);
  const gate = internals ? preRuleGate(policy, internals, request) : undefined;
  if (!internals || !gate || gate.decision)
    return refusedBeforeRules(policy, gate?.decision ?? decide(policy, request));
  const checked = gate.request;
  const tool = policy.tools.get(checked.tool)!;
  const toolActivation = internals.toolActivations.get(checked.tool)!;
  const labels = requestLabels(checked.input);
  let activation: Record<string, unknown> | undefined;
  const applied: AppliedRule[] = [];
  const errors: ConditionError[] = [];
  const traces: RuleTrace[] = [];
  const quotas: string[] = [];

  for (const runtime of internals.rules) {
    const mismatch = selectorMismatch(runtime, checked, tool.categories, labels, selectsTool(runtime, tool));
    if (mismatch) {
      traces.push(trace(runtime, false, 'match', mismatch));
      continue;
    }
    let outcome: ReturnType<typeof evaluateCondition> = true;
    if (runtime.condition) {
      activation ??= buildActivation(checked, toolActivation, internals.stateWindows);
      if (runtime.condition.variables.has('provenance')) withProvenance(activation, checked);
      if (runtime.condition.variables.has('origin')) withOrigin(activation, checked);
      outcome = evaluateCondition(runtime.condition, activation);
    }
    const unmet =
      outcome === true && runtime.rule.require ? unmetRequirement(runtime.rule.require, checked) : undefined;
    if (outcome === true && runtime.rule.require && unmet === undefined) {
      traces.push(trace(runtime, false, 'require', 'every value it names came from an origin it accepts'));
      continue;
    }
    const quota = runtime.rule.quota;
    if (outcome === true && quota) {
      quotas.push(runtime.rule.id);
      const standing = quotaStanding(runtime.rule.id, quota, checked.input.usage);
      if (standing.outcome === false) {
        traces.push(trace(runtime, false, 'quota', `the quota is not reached: ${standing.note}`));
        continue;
      }
      const result = applyOutcome(runtime, standing.outcome, standing.note);
      if (result.error) errors.push(result.error);
      if (result.applied) applied.push(result.applied);
      const why =
        standing.note === undefined
          ? `${standing.outcome}, which counts as holding (fail closed)`
          : `the quota is reached: ${standing.note}`;
      traces.push(trace(runtime, true, 'quota', why));
      continue;
    }
    const result = applyOutcome(runtime, outcome, unmet);
    if (result.error) errors.push(result.error);
    if (result.applied) applied.push(result.applied);
    const source = runtime.condition?.source;
    const why =
      unmet !== undefined
        ? `its requirement is not met: ${unmet}`
        : source === undefined
          ? 'its selector matches and it has no condition'
          : outcome === true
            ? `its condition holds: ${source}`
            : outcome === false
              ? `its condition is false: ${source}`
              : `its condition failed (${outcome}), which counts as ${result.applied ? 'holding (fail closed)' : 'not holding'}`;
    traces.push(
      trace(
        runtime,
        result.applied !== undefined,
        unmet !== undefined ? 'require' : source === undefined ? 'match' : 'when',
        why,
      ),
    );
  }
  return { decision: combine(policy, internals, checked, applied, errors, quotas), rules: traces };
}

function selectorMismatch(
  runtime: RuleRuntime,
  request: CheckedRequest,
  toolCategories: readonly string[],
  labels: ReadonlySet<string>,
  toolSelected: boolean,
): string | undefined {
  const { match } = runtime.rule;
  if (!toolSelected) {
    if (match.tools && !runtime.toolGlobs?.some((g) => g.test(request.tool))) {
      return `tool '${request.tool}' is not matched by [${match.tools.join(', ')}]`;
    }
    return `tool '${request.tool}' has categories [${toolCategories.join(', ')}], none of [${(match.categories ?? []).join(', ')}]`;
  }
  if (!agentMatches(runtime, request.agent)) {
    return `agent '${request.agent.name}' is not matched by [${(match.agents ?? []).join(', ')}]`;
  }
  if (runtime.labels && !runtime.labels.some((l) => labels.has(l))) {
    const seen = labels.size > 0 ? `[${[...labels].join(', ')}]` : 'no labels';
    return `the request carries ${seen}, none of [${runtime.labels.join(', ')}]`;
  }
  return undefined;
}

function trace(runtime: RuleRuntime, applied: boolean, stage: RuleTrace['stage'], why: string): RuleTrace {
  const { id, effect, location } = runtime.rule;
  return { id, effect, applied, stage, why, location };
}
