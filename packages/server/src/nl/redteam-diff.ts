import { readFile } from 'node:fs/promises';
import {
  type CompiledPolicy,
  checkPolicy,
  compileSentence,
  ruleFromMeaning,
  ruleIdFor,
  ruleSelects,
  vocabularyOf,
} from '@gatehouse/core';
import { stringify } from 'yaml';
import { type RedteamFigures, runRedteam, SUITE_POLICY_DIR, SUITES } from '../redteam/index.js';
import type { RedteamSuite, RedteamTrace } from '../redteam/trace.js';

/**
 * Verification item 4 of a draft: the shipped red-team suites replayed before and after the
 * sentence's rules, so a reviewer sees what the rule does to attacks and to the work agents
 * must still get done.
 *
 * The suites' runs call the suites' own tools, which a user's policy does not declare, so the
 * replay cannot run on the user's policy. The sentence is the source of truth instead: it is
 * compiled again against each suite's policy (its catalog, agents and groups), and where it
 * compiles and covers a tool a run calls, the suite is replayed with and without those rules.
 * A model's fragment (`--llm`) has no sentence meaning to recompile: its rules are added as
 * written, where they compile beside the suite's policy.
 *
 * Only the runs that call a tool the rules cover are replayed: a rule that matches none of a
 * run's calls cannot change any decision of it, so the other runs' figures are the same
 * before and after. That keeps `draft` fast, and a time budget bounds the rest.
 */

/** A rule as a fragment holds it. */
type RuleDocument = ReturnType<typeof ruleFromMeaning>;

/** The replay of one suite before and after the rules, over the runs they touch. */
export interface SuiteReplay {
  readonly suite: string;
  /** Runs replayed (those calling a tool the rules cover), of all the suite's runs. */
  readonly runs: number;
  readonly of: number;
  readonly before: RedteamFigures;
  readonly after: RedteamFigures;
}

/** The red-team difference a draft's report prints. */
export interface RedteamDiff {
  readonly replayed: readonly SuiteReplay[];
  /** Suites not replayed, each with why (the sentence names nothing there, no run is touched, out of time). */
  readonly skipped: readonly { readonly suite: string; readonly reason: string }[];
  readonly ms: number;
}

/** Longest a draft spends replaying: past it, the remaining suites are reported as skipped. */
export const REDTEAM_BUDGET_MS = 20_000;

/**
 * Replays the shipped suites before and after the rules of `sentences` (or of a model's
 * `rules`), each suite under its own policy.
 *
 * @example
 * ```ts
 * const diff = await redteamDiff({ sentences: ['Transfers over $1,000 need two approvals'] });
 * for (const s of diff.replayed) console.log(s.suite, s.before.attackSuccessRate, s.after.attackSuccessRate);
 * ```
 */
export async function redteamDiff(opts: {
  readonly sentences: readonly string[];
  readonly rules?: readonly RuleDocument[];
  readonly budgetMs?: number;
  readonly suites?: readonly RedteamSuite[];
}): Promise<RedteamDiff> {
  const started = performance.now();
  const budget = opts.budgetMs ?? REDTEAM_BUDGET_MS;
  const replayed: SuiteReplay[] = [];
  const skipped: { suite: string; reason: string }[] = [];
  for (const suite of opts.suites ?? SUITES) {
    if (performance.now() - started >= budget) {
      skipped.push({ suite: suite.name, reason: `not replayed: the ${budget / 1000} s budget was spent` });
      continue;
    }
    const source = {
      name: suite.policyFile,
      text: await readFile(new URL(suite.policyFile, SUITE_POLICY_DIR), 'utf8'),
    };
    const base = checkPolicy([source]).policy;
    if (!base) {
      skipped.push({ suite: suite.name, reason: "the suite's policy does not compile" });
      continue;
    }
    const rules = opts.rules ?? rulesFor(opts.sentences, base);
    if (typeof rules === 'string') {
      skipped.push({ suite: suite.name, reason: rules });
      continue;
    }
    const fragment = { name: 'nl-fragment.yaml', text: stringify({ version: 1, rules }) };
    const checked = checkPolicy([source, fragment]);
    const after = checked.policy;
    if (!after) {
      const first = checked.diagnostics.find((d) => d.severity === 'error')?.message;
      skipped.push({
        suite: suite.name,
        reason: `the rules do not compile beside the suite's policy${first ? `: ${first}` : ''}`,
      });
      continue;
    }
    const touched = suite.traces.filter((t) => touches(t, rules, after));
    if (touched.length === 0) {
      skipped.push({ suite: suite.name, reason: 'no run of the suite calls a tool the rules cover' });
      continue;
    }
    const own = { ...suite, traces: touched };
    const [b, a] = await Promise.all([
      runRedteam([{ suite: own, policy: base, policyName: suite.policyFile }]),
      runRedteam([{ suite: own, policy: after, policyName: `${suite.policyFile} + fragment` }]),
    ]);
    replayed.push({
      suite: suite.name,
      runs: touched.length,
      of: suite.traces.length,
      before: (b as { overall: RedteamFigures }).overall,
      after: (a as { overall: RedteamFigures }).overall,
    });
  }
  return { replayed, skipped, ms: Math.round(performance.now() - started) };
}

/** The sentences' rules against a suite's vocabulary, or why they do not compile there. */
function rulesFor(sentences: readonly string[], policy: CompiledPolicy): RuleDocument[] | string {
  const vocabulary = vocabularyOf(policy);
  const taken = new Set(policy.rules.map((r) => r.id));
  const rules: RuleDocument[] = [];
  for (const sentence of sentences) {
    const r = compileSentence(sentence, vocabulary);
    if (!r.ok) return `the sentence does not compile against this suite's catalog: ${r.refusal.message}`;
    for (const m of r.meanings) {
      const rule = ruleFromMeaning(m, ruleIdFor(m.sentence, taken));
      taken.add(rule.id);
      rules.push(rule);
    }
  }
  return rules;
}

/** Whether any call of a run is one a rule's match covers. */
function touches(trace: RedteamTrace, rules: readonly RuleDocument[], policy: CompiledPolicy): boolean {
  return trace.steps.some(
    (step) =>
      'call' in step && rules.some((rule) => ruleSelects(rule, policy, step.call, step.agent ?? trace.agent)),
  );
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** The difference as lines for the report: one per suite replayed or skipped. */
export function describeRedteamDiff(diff: RedteamDiff): string[] {
  const lines = diff.replayed.map((s) => {
    const { before: b, after: a } = s;
    const parts = [
      `attack success ${pct(b.attackSuccessRate)} → ${pct(a.attackSuccessRate)} of ${a.injectionTraces} injected runs`,
      `attacker calls held for a person ${b.attackCalls.held} → ${a.attackCalls.held}, denied ${b.attackCalls.denied} → ${a.attackCalls.denied}`,
      `utility ${pct(b.benignUtility)} → ${pct(a.benignUtility)} of ${a.benignTraces} benign runs`,
      `under attack ${pct(b.utilityUnderAttack)} → ${pct(a.utilityUnderAttack)}`,
      `people asked ${pct(b.peopleAskedRate)} → ${pct(a.peopleAskedRate)} of task calls`,
    ];
    return `${s.suite} (${s.runs} of ${s.of} runs touch the rules): ${parts.join('; ')}`;
  });
  for (const s of diff.skipped) lines.push(`${s.suite}: ${s.reason}`);
  return lines;
}
