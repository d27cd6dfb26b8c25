/**
 * The Gatehouse SDK: the in-process policy enforcement point.
 *
 * The client-side PEP and its framework adapters arrive with the enforcement-path
 * issue; for now the package re-exports the decision point so that an agent
 * author can already evaluate a compiled policy in process.
 */

export type { CompiledPolicy, Decision, DecisionRequest } from '@gatehouse/core';
export { compilePolicy, decide } from '@gatehouse/core';
