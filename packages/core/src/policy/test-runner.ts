import { decideAsThePath } from '../path/offline.js';
import type { CompiledPolicy, PolicyTestResult } from './types.js';

/**
 * Runs the policy's own `tests:` cases: policy tests written in the policy
 * language, as OPA does. Each case passes when the effect is the expected one
 * and every rule it names under `applies` applied. Each request first passes the steps the
 * enforcement path runs before it decides (`prepareAsThePath`).
 */
export function runPolicyTests(policy: CompiledPolicy): PolicyTestResult[] {
  return policy.tests.map((test) => {
    // The steps the server runs before deciding (schema, argument detectors) run here too, so a
    // test cannot pass a request the server would refuse.
    const decision = decideAsThePath(policy, test.request, { validate: test.validate !== false });
    const appliedIds = new Set(decision.rules.map((r) => r.id));
    const missing = (test.applies ?? []).filter((id) => !appliedIds.has(id));
    let failure: string | undefined;
    if (decision.effect !== test.expect) {
      failure = `expected ${test.expect}, got ${decision.effect}: ${decision.reasons.join('; ')}`;
    } else if (missing.length > 0) {
      const applied = appliedIds.size > 0 ? [...appliedIds].join(', ') : 'none';
      failure = `expected rule(s) ${missing.join(', ')} to apply; applied: ${applied}`;
    }
    return {
      name: test.name,
      passed: failure === undefined,
      expected: test.expect,
      actual: decision.effect,
      ...(failure !== undefined && { failure }),
      decision,
      location: test.location,
    };
  });
}
