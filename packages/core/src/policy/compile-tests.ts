import { type CompileReport, type Located, locationOf } from './compile-report.js';
import type { RuleRuntime } from './compiled.js';
import type { PolicyDocument } from './schema.js';
import type { AgentIdentity, DecisionRequestInput, PolicyTestCase } from './types.js';

/** The policy's own `tests:`, each checked against the agents and rules it names. */
export function compileTests(
  report: CompileReport,
  entries: readonly Located<NonNullable<PolicyDocument['tests']>[number]>[],
  agents: ReadonlyMap<string, AgentIdentity>,
  rules: readonly RuleRuntime[],
  declaredRuleIds: ReadonlySet<string>,
): PolicyTestCase[] {
  const ruleIds = new Set([...rules.map((r) => r.rule.id), ...declaredRuleIds]);
  const tests: PolicyTestCase[] = [];
  for (const { value, doc, path } of entries) {
    let ok = true;
    if (!agents.has(value.request.agent)) {
      report.error(
        'GH_POLICY_REFERENCE',
        `test '${value.name}' names agent '${value.request.agent}', which is not declared under 'agents'`,
        doc,
        [...path, 'request', 'agent'],
      );
      ok = false;
    }
    value.applies?.forEach((id, i) => {
      if (!ruleIds.has(id)) {
        report.error(
          'GH_POLICY_REFERENCE',
          `test '${value.name}' expects rule '${id}', which does not exist`,
          doc,
          [...path, 'applies', i],
        );
        ok = false;
      }
    });
    let now: Date | undefined;
    if (value.request.now !== undefined) {
      now = new Date(value.request.now);
      if (Number.isNaN(now.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(value.request.now)) {
        report.error('GH_POLICY_SCHEMA', `test '${value.name}': 'now' must be an RFC 3339 date-time`, doc, [
          ...path,
          'request',
          'now',
        ]);
        ok = false;
      }
    }
    if (!ok) continue;
    const { now: _now, ...request } = value.request;
    const input: DecisionRequestInput = now ? { ...request, now } : request;
    tests.push({
      name: value.name,
      request: input,
      expect: value.expect,
      ...(value.applies && { applies: value.applies }),
      ...(value.validate !== undefined && { validate: value.validate }),
      location: locationOf(doc, path, 'value'),
    });
  }
  return tests;
}
