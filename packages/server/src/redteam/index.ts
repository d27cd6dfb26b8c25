import type { CompiledPolicy } from '@gatehouse/core';
import { figuresOf, type RedteamFigures, replayTrace, type TraceResult } from './replay.js';
import { BANKING } from './suites/banking.js';
import { MESSAGING } from './suites/messaging.js';
import { MULTI_AGENT } from './suites/multi-agent.js';
import { TRAVEL } from './suites/travel.js';
import { WORKSPACE } from './suites/workspace.js';
import type { RedteamSuite } from './trace.js';

export { figuresOf, type RedteamFigures, replayTrace, type TraceResult } from './replay.js';
export { ATTACK_TEMPLATES } from './templates.js';
export type { RedteamSuite, RedteamTrace, TraceStep } from './trace.js';

/** The shipped suites, in the order reports list them. */
export const SUITES: readonly RedteamSuite[] = [BANKING, MESSAGING, WORKSPACE, TRAVEL, MULTI_AGENT];

/** Where the shipped suites' policies are. */
export const SUITE_POLICY_DIR = new URL('../../redteam/', import.meta.url);

/** The report of one red-team run: figures overall, per suite and per attack template. */
export interface RedteamReport {
  readonly overall: RedteamFigures;
  readonly suites: Readonly<Record<string, RedteamFigures & { readonly policy: string }>>;
  readonly templates: Readonly<Record<string, RedteamFigures>>;
  /** Attacker-goal calls that waited for a person instead of being denied, by template. */
  readonly heldByTemplate: Readonly<Record<string, number>>;
  readonly results: readonly TraceResult[];
}

/** Replays the suites, each against its policy, and totals the figures. */
export async function runRedteam(
  suites: readonly {
    readonly suite: RedteamSuite;
    readonly policy: CompiledPolicy;
    readonly policyName: string;
  }[],
): Promise<RedteamReport> {
  const results: TraceResult[] = [];
  const perSuite: Record<string, RedteamFigures & { policy: string }> = {};
  for (const { suite, policy, policyName } of suites) {
    const own: TraceResult[] = [];
    for (const trace of suite.traces) own.push(await replayTrace(policy, trace));
    perSuite[suite.name] = { ...figuresOf(own), policy: policyName };
    results.push(...own);
  }
  const templates: Record<string, RedteamFigures> = {};
  const heldByTemplate: Record<string, number> = {};
  for (const template of new Set(results.flatMap((r) => (r.template ? [r.template] : [])))) {
    const own = results.filter((r) => r.template === template);
    templates[template] = figuresOf(own);
    heldByTemplate[template] = own
      .flatMap((r) => r.calls)
      .filter((c) => c.role === 'attack' && c.verdict === 'held').length;
  }
  return { overall: figuresOf(results), suites: perSuite, templates, heldByTemplate, results };
}
