/**
 * The Gatehouse SDK: the in-process policy enforcement point.
 *
 * `createGuard` runs the enforcement path in process (local mode, with a
 * compiled policy) or asks the Gatehouse decision API (remote mode). Framework
 * adapters live in subpaths so this entry needs none of them:
 * `@gatehouse/sdk/ai`, `@gatehouse/sdk/openai-agents`, `@gatehouse/sdk/langchain`.
 */
export type { CompiledPolicy, Decision, DecisionRequest } from '@gatehouse/core';
export { compilePolicy, decide } from '@gatehouse/core';
export {
  type CallOptions,
  createGuard,
  type Guard,
  type GuardRefusal,
  GuardRefusedError,
  type GuardVerdict,
  type InspectedOutput,
  isRefusal,
  type LocalGuardOptions,
  OUTPUT_POLICY_WITHHELD,
  OUTPUT_WITHHELD,
  type RemoteGuardOptions,
  refusalOf,
} from './guard.js';
export { type AgentCredentials, agentTokenSource, type TokenSource } from './token-source.js';
