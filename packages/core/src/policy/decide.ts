import type { CompiledPolicy, Decision, DecisionRequestInput } from './types.js';

/** The PDP: a pure, synchronous decision. Never throws; a malformed request is denied with a reason. */
export function decide(_policy: CompiledPolicy, _request: DecisionRequestInput): Decision {
  throw new Error('not implemented yet');
}
