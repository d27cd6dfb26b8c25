import { DETECTOR_LABELS } from '../detectors/types.js';
import type { LoadedDocument } from '../yaml/document.js';
import { type CompiledCondition, compileCondition, isConditionProblem } from './cel.js';
import { type CompileReport, type Located, locationOf } from './compile-report.js';
import type { RuleRuntime } from './compiled.js';
import { anyGlobMatches, compileGlob, type Glob } from './glob.js';
import type { PolicyDocument } from './schema.js';
import type { CompiledRule, RuleQuota, ToolDefinition } from './types.js';

/** How long an approval waits when the rule does not say. */
const DEFAULT_APPROVAL_TIMEOUT_MS = 60 * 60 * 1000;
/** The longest an approval may wait: a stale approval is a standing permission. */
const MAX_APPROVAL_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;
/** A quota's window: a minute at least (counts are kept to the second), thirty days at most (what a store keeps). */
const MIN_QUOTA_WINDOW_MS = 60_000;
export const MAX_QUOTA_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** Labels Gatehouse itself puts on data and sessions, beyond the detectors' and the catalog's. */
const SESSION_LABELS = [
  'untrusted',
  'user_input',
  'trusted',
  'endorsed',
  'provenance-incomplete',
  'redaction-incomplete',
];

export function compileRules(
  report: CompileReport,
  entries: readonly Located<NonNullable<PolicyDocument['rules']>[number]>[],
  tools: ReadonlyMap<string, ToolDefinition>,
  groups: ReadonlyMap<string, readonly string[]>,
): RuleRuntime[] {
  const runtimes: RuleRuntime[] = [];
  for (const { value, doc, path } of entries) {
    const before = report.diagnostics.length;
    const match = value.match ?? {};
    const toolGlobs = match.tools?.map(compileGlob);
    toolGlobs?.forEach((glob, i) => {
      if (![...tools.keys()].some((tool) => glob.test(tool))) {
        report.error(
          'GH_POLICY_GLOB_UNMATCHED',
          `tool pattern '${glob.pattern}' in rule '${value.id}' matches no tool in the catalog`,
          doc,
          [...path, 'match', 'tools', i],
        );
      }
    });
    const approval = compileApproval(report, value, groups, doc, path);
    const obligations = compileObligations(report, value, doc, path, tools);
    const quota = compileQuota(report, value, doc, path);
    const condition =
      value.when === undefined
        ? undefined
        : compileWhen(report, value.id, value.when, doc, [...path, 'when']);
    if (value.require !== undefined && value.effect === 'allow') {
      // An allow rule that applies when a value's origin is unproven would let the unproven through.
      report.error(
        'GH_POLICY_SCHEMA',
        `rule '${value.id}' has 'require' but effect 'allow'; a requirement belongs on a deny or approve rule, which applies when it is not met`,
        doc,
        [...path, 'require'],
      );
    }
    if (
      report.diagnostics.length > before &&
      report.diagnostics.slice(before).some((d) => d.severity === 'error')
    )
      continue;

    const rule: CompiledRule = {
      id: value.id,
      ...(value.description !== undefined && { description: value.description }),
      ...(value.message !== undefined && { message: value.message }),
      effect: value.effect,
      match: {
        ...(match.agents && { agents: match.agents }),
        ...(match.tools && { tools: match.tools }),
        ...(match.categories && { categories: match.categories }),
        ...(match.labels && { labels: match.labels }),
      },
      ...(value.when !== undefined && { when: value.when }),
      ...(value.require !== undefined && { require: value.require }),
      ...(approval && { approval }),
      ...(quota && { quota }),
      ...(obligations && { obligations }),
      index: runtimes.length,
      location: locationOf(doc, path, 'value'),
    };
    runtimes.push({
      rule,
      ...(match.agents && { agentGlobs: match.agents.map(compileGlob) }),
      ...(toolGlobs && { toolGlobs }),
      ...(match.categories && { categories: new Set(match.categories) }),
      ...(match.labels && { labels: match.labels }),
      ...(condition && { condition }),
    });
  }
  return runtimes;
}

/** `quota`: on a deny or approve rule, over a window of a minute to thirty days. */
function compileQuota(
  report: CompileReport,
  value: NonNullable<PolicyDocument['rules']>[number],
  doc: LoadedDocument,
  path: readonly (string | number)[],
): RuleQuota | undefined {
  if (value.quota === undefined) return undefined;
  const at = [...path, 'quota'];
  if (value.effect === 'allow') {
    // An allow rule that applied only past a count would let calls through once an agent had made many.
    report.error(
      'GH_POLICY_SCHEMA',
      `rule '${value.id}' has 'quota' but effect 'allow'; a quota belongs on a deny or approve rule, which applies once the count is reached`,
      doc,
      at,
      'key',
    );
    return undefined;
  }
  if (value.require !== undefined) {
    report.error(
      'GH_POLICY_SCHEMA',
      `rule '${value.id}' has both 'quota' and 'require'; state the requirement and the quota in two rules`,
      doc,
      at,
      'key',
    );
    return undefined;
  }
  const windowMs = parseDuration(value.quota.per);
  if (windowMs < MIN_QUOTA_WINDOW_MS || windowMs > MAX_QUOTA_WINDOW_MS) {
    report.error(
      'GH_POLICY_SCHEMA',
      `rule '${value.id}': quota period '${value.quota.per}' must be between 1m and 30d`,
      doc,
      [...at, 'per'],
    );
    return undefined;
  }
  return { max: value.quota.max, per: value.quota.per, windowMs };
}

/** `redact` and `withhold`: only on rules that can let a call through, where there is an output. */
function compileObligations(
  report: CompileReport,
  value: NonNullable<PolicyDocument['rules']>[number],
  doc: LoadedDocument,
  path: readonly (string | number)[],
  tools: ReadonlyMap<string, ToolDefinition>,
): CompiledRule['obligations'] | undefined {
  if (value.redact === undefined && value.withhold === undefined) return undefined;
  // A label nothing sets never matches: a misspelt `withhold: [secrets]` would withhold nothing.
  const known = new Set<string>([
    ...Object.values(DETECTOR_LABELS),
    ...SESSION_LABELS,
    ...[...tools.values()].flatMap((t) => t.labels),
  ]);
  value.withhold?.forEach((label, i) => {
    if (!known.has(label))
      report.warn(
        'GH_POLICY_NEVER_APPLIES',
        `withhold label '${label}' in rule '${value.id}' is set by no detector and no tool in the catalog, so it never matches`,
        doc,
        [...path, 'withhold', i],
      );
  });
  if (value.effect === 'deny') {
    const key = value.redact !== undefined ? 'redact' : 'withhold';
    report.error(
      'GH_POLICY_SCHEMA',
      `'${key}' is an obligation on the output of a call that goes through; rule '${value.id}' denies, so there is none`,
      doc,
      [...path, key],
      'key',
    );
    return undefined;
  }
  return { redact: value.redact ?? [], withhold: value.withhold ?? [] };
}

function compileApproval(
  report: CompileReport,
  value: NonNullable<PolicyDocument['rules']>[number],
  groups: ReadonlyMap<string, readonly string[]>,
  doc: LoadedDocument,
  path: readonly (string | number)[],
): CompiledRule['approval'] | undefined {
  if (value.effect !== 'approve') {
    if (value.approval !== undefined) {
      report.error(
        'GH_POLICY_SCHEMA',
        `'approval' only applies to rules with effect 'approve' (rule '${value.id}' has '${value.effect}')`,
        doc,
        [...path, 'approval'],
        'key',
      );
    }
    return undefined;
  }
  const spec = value.approval ?? {};
  const approvers = spec.approvers ?? 1;
  const groupNames = spec.groups ?? [];
  let eligible = new Set<string>();
  for (const [i, group] of groupNames.entries()) {
    const members = groups.get(group);
    if (!members) {
      report.error(
        'GH_POLICY_REFERENCE',
        `rule '${value.id}' names group '${group}', which is not declared under 'groups'`,
        doc,
        [...path, 'approval', 'groups', i],
      );
      continue;
    }
    eligible = new Set([...eligible, ...members]);
  }
  if (groupNames.length > 0 && groupNames.every((g) => groups.has(g)) && eligible.size < approvers) {
    report.error(
      'GH_POLICY_UNSATISFIABLE',
      `rule '${value.id}' needs ${approvers} distinct approvers but its groups have only ${eligible.size} member(s)`,
      doc,
      [...path, 'approval', 'approvers'],
    );
  }
  let timeoutMs = DEFAULT_APPROVAL_TIMEOUT_MS;
  if (spec.timeout !== undefined) {
    timeoutMs = parseDuration(spec.timeout);
    if (timeoutMs > MAX_APPROVAL_TIMEOUT_MS) {
      report.error('GH_POLICY_SCHEMA', `approval timeout '${spec.timeout}' exceeds the maximum of 7d`, doc, [
        ...path,
        'approval',
        'timeout',
      ]);
    }
  }
  const denials = spec.denials ?? 1;
  if (denials > approvers) {
    report.error(
      'GH_POLICY_SCHEMA',
      `rule '${value.id}' needs ${denials} deny votes to deny but only ${approvers} approver(s) to approve; use at most ${approvers}`,
      doc,
      [...path, 'approval', 'denials'],
    );
  }
  return {
    approvers,
    groups: groupNames,
    timeoutMs,
    denials,
    allowSelfApproval: spec.allowSelfApproval ?? false,
  };
}

function compileWhen(
  report: CompileReport,
  ruleId: string,
  when: string,
  doc: LoadedDocument,
  path: readonly (string | number)[],
): CompiledCondition | undefined {
  const compiled = compileCondition(when);
  if (!isConditionProblem(compiled)) return compiled;
  const code = compiled.kind === 'syntax' ? 'GH_POLICY_CEL_SYNTAX' : 'GH_POLICY_CEL_TYPE';
  const place = doc.locateWithin(path, when, compiled.offset) ?? doc.locate(path);
  const what = compiled.kind === 'syntax' ? 'CEL syntax error' : 'CEL error';
  report.diagnostics.push({
    severity: 'error',
    code,
    message: `${what} in rule '${ruleId}': ${compiled.message}`,
    path: path.join('.'),
    ...place,
  });
  return undefined;
}

/** For each catalog tool, the rules whose tool and category selectors cover it. */
export function indexRulesByTool(
  rules: readonly RuleRuntime[],
  tools: ReadonlyMap<string, ToolDefinition>,
): Map<string, RuleRuntime[]> {
  const index = new Map<string, RuleRuntime[]>();
  for (const tool of tools.values()) {
    index.set(
      tool.name,
      rules.filter((r) => selectsTool(r, tool)),
    );
  }
  return index;
}

/** True when a rule's `tools` and `categories` selectors both cover the tool. */
export function selectsTool(rule: RuleRuntime, tool: ToolDefinition): boolean {
  if (rule.toolGlobs && !anyGlobMatches(rule.toolGlobs as Glob[], tool.name)) return false;
  if (rule.categories && !tool.categories.some((c) => rule.categories!.has(c))) return false;
  return true;
}

function parseDuration(text: string): number {
  const amount = Number(text.slice(0, -1));
  const unit = text.at(-1);
  const factor = unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000;
  return amount * factor;
}
