import type { CompiledPolicy, PolicyTestResult } from './types.js';

/** Runs the policy's own `tests:` cases. */
export function runPolicyTests(_policy: CompiledPolicy): PolicyTestResult[] {
  throw new Error('not implemented yet');
}
