import type { Diagnostic } from '../errors.js';
import type { RuleRuntime } from './compiled.js';
import type { Effect, ToolDefinition } from './types.js';

const PRECEDENCE: Record<Effect, number> = { allow: 0, approve: 1, deny: 2 };

/**
 * Warnings about rules that are valid but cannot do what their author meant:
 * rules that can never apply, and rules whose effect can never show because an
 * unconditional rule of higher precedence covers every request they match.
 *
 * Coverage is computed over the finite catalog (unknown tools are denied
 * before rules run), so "never applies" is exact for tools and categories.
 */
export function lintRules(
  rules: readonly RuleRuntime[],
  candidatesByTool: ReadonlyMap<string, readonly RuleRuntime[]>,
  tools: ReadonlyMap<string, ToolDefinition>,
): Diagnostic[] {
  const toolsOfRule = new Map<RuleRuntime, Set<string>>();
  for (const rule of rules) toolsOfRule.set(rule, new Set());
  for (const [tool, candidates] of candidatesByTool) {
    for (const rule of candidates) toolsOfRule.get(rule)!.add(tool);
  }

  const warnings: Diagnostic[] = [];
  const warn = (rule: RuleRuntime, code: Diagnostic['code'], message: string) =>
    warnings.push({
      severity: 'warning',
      code,
      message,
      ...rule.rule.location,
      path: `rules.${rule.rule.id}`,
    });

  for (const rule of rules) {
    const selected = toolsOfRule.get(rule)!;
    if (rule.condition?.constantFalse) {
      warn(
        rule,
        'GH_POLICY_NEVER_APPLIES',
        `rule '${rule.rule.id}' can never apply: its condition is always false`,
      );
      continue;
    }
    if (selected.size === 0) {
      const why = rule.categories
        ? `no catalog tool matched by its tools has the categories [${[...rule.categories].join(', ')}]`
        : 'it selects no catalog tool';
      warn(rule, 'GH_POLICY_NEVER_APPLIES', `rule '${rule.rule.id}' can never apply: ${why}`);
      continue;
    }
    // A deny or approve rule that reads the arguments of a tool without a schema can be dodged:
    // a value of another type (a list where a string was meant) makes `==` or `in` false, not an
    // error, so the rule silently does not apply.
    if (rule.rule.effect !== 'allow' && rule.condition?.variables.has('args')) {
      const untyped = [...selected].filter((name) => tools.get(name)?.schema === undefined).sort();
      if (untyped.length > 0)
        warn(
          rule,
          'GH_POLICY_ARGS_UNTYPED',
          `rule '${rule.rule.id}' reads args, but ${untyped.length === 1 ? 'tool' : 'tools'} ${untyped
            .slice(0, 5)
            .join(
              ', ',
            )}${untyped.length > 5 ? ', …' : ''} ${untyped.length === 1 ? 'has' : 'have'} no schema: an argument of an unexpected type makes its condition false rather than an error; give ${untyped.length === 1 ? 'it' : 'them'} a schema`,
        );
    }
    // An open schema lets a caller add keys the rule never reads beside the ones it checks
    // (`bcc` beside `to`, `Amount` beside `amount`), and the tool may act on them.
    if (rule.rule.effect !== 'allow' && rule.condition?.variables.has('args')) {
      const open = [...selected].filter((name) => isOpenSchema(tools.get(name)?.schema)).sort();
      if (open.length > 0)
        warn(
          rule,
          'GH_POLICY_ARGS_OPEN',
          `rule '${rule.rule.id}' reads args, but the schema of ${open.slice(0, 5).join(', ')}${open.length > 5 ? ', …' : ''} accepts keys it does not list: a caller can pass a key the rule never checks (bcc beside to); close it with additionalProperties: false`,
        );
    }
    if (tools.size === 0) continue;
    const shadow = rules.find(
      (other) =>
        other !== rule &&
        PRECEDENCE[other.rule.effect] > PRECEDENCE[rule.rule.effect] &&
        isUnconditional(other) &&
        coversSelector(other, rule, toolsOfRule.get(other)!, selected),
    );
    if (shadow) {
      warn(
        rule,
        'GH_POLICY_SHADOWED',
        `rule '${rule.rule.id}' (${rule.rule.effect}) can never change a decision: rule '${shadow.rule.id}' (${shadow.rule.effect}) applies unconditionally to every request it matches`,
      );
    }
  }
  return warnings;
}

/** True for an object schema that accepts properties it does not list. */
function isOpenSchema(schema: unknown): boolean {
  if (schema === null || typeof schema !== 'object') return false;
  const s = schema as { additionalProperties?: unknown; unevaluatedProperties?: unknown };
  return s.additionalProperties !== false && s.unevaluatedProperties !== false;
}

function isUnconditional(rule: RuleRuntime): boolean {
  // A quota rule applies only once the agent's count reaches it.
  if (rule.rule.quota) return false;
  if (!rule.condition) return true;
  const ast = rule.condition.program.ast;
  return ast.op === 'value' && ast.args === true;
}

/** True when every request `inner` selects is also selected by `outer`. */
function coversSelector(
  outer: RuleRuntime,
  inner: RuleRuntime,
  outerTools: Set<string>,
  innerTools: Set<string>,
): boolean {
  for (const tool of innerTools) if (!outerTools.has(tool)) return false;
  const outerAgents = outer.rule.match.agents;
  if (outerAgents && !outerAgents.includes('*')) {
    const innerAgents = inner.rule.match.agents;
    if (!innerAgents?.every((a) => outerAgents.includes(a))) return false;
  }
  const outerLabels = outer.labels;
  if (outerLabels) {
    // `outer` needs one of its labels; `inner` is covered only if each label it accepts is one of them.
    if (!inner.labels?.every((l) => outerLabels.includes(l))) return false;
  }
  return true;
}
