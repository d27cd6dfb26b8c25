import type { CompiledPolicy, DecisionRequestInput, Explanation } from './types.js';

/** The decision plus, for every rule, whether it applied and why (not). */
export function explain(_policy: CompiledPolicy, _request: DecisionRequestInput): Explanation {
  throw new Error('not implemented yet');
}
