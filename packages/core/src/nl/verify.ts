import { parse as parseYaml } from 'yaml';
import { canonicalJson, sha256Hex } from '../audit/event.js';
import { checkPolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import type { RuleDocument } from '../policy/schema.js';
import { runPolicyTests } from '../policy/test-runner.js';
import type { CompiledPolicy, Effect, PolicySource } from '../policy/types.js';
import type { SentenceMeaning } from './meaning.js';
import { predictedEffect, probesFor, ruleSelects, widens } from './probes.js';

/** One request whose decision the fragment changes. */
export interface DecisionChange {
  readonly agent: string;
  readonly tool: string;
  readonly summary: string;
  readonly before: Effect;
  readonly after: Effect;
}

/** A check of the verification and how it went. */
export interface VerificationCheck {
  readonly name:
    | 'compiles'
    | 'no-new-warnings'
    | 'fragment-shape'
    | 'conditions-evaluate'
    | 'generated-tests'
    | 'policy-tests'
    | 'no-widening'
    | 'rules-match-sentences';
  readonly passed: boolean;
  readonly detail: string;
}

/** The report shown before anyone adopts a fragment. */
export interface VerificationReport {
  readonly ok: boolean;
  readonly checks: readonly VerificationCheck[];
  /** Every probe whose decision changes, capped for printing; `changedCount` has the total. */
  readonly changes: readonly DecisionChange[];
  readonly changedCount: number;
  readonly probes: number;
  /** A fragment whose effect is allow says so: it is widening by intent, even where deny still wins. */
  readonly widening: boolean;
  readonly wideningReasons: readonly string[];
  /** SHA-256 over the fragment and the checks: what an adoption audit event records. */
  readonly digest: string;
}

/**
 * Keys a fragment may hold: rules and their tests, and groups of people the policy already names
 * for its own approvals; never catalog, agents, intents or states.
 */
const FRAGMENT_KEYS = new Set(['version', 'groups', 'rules', 'tests']);
/** Most rules one fragment may add: a sentence is a rule or two, never a policy. */
export const MAX_FRAGMENT_RULES = 20;
const MAX_CHANGES_SHOWN = 12;

/**
 * Verifies a fragment against the policy it would join: it must compile with the rest with no
 * new warning; contain only rules and tests; every condition must evaluate on every probe;
 * the decisions must be what the sentences predict (for the grammar's fragments); the
 * policy's own tests and the fragment's must pass; and no probe may go from deny or approve
 * to allow. Pure: the caller reads the files and prints the report.
 */
export function verifyFragment(input: {
  readonly sources: readonly PolicySource[];
  readonly fragment: PolicySource;
  /** The meaning of each rule of the fragment, in order, when the grammar compiled it. */
  readonly meanings?: readonly SentenceMeaning[];
}): VerificationReport & { readonly after?: CompiledPolicy } {
  const checks: VerificationCheck[] = [];
  const finish = (
    changes: DecisionChange[] = [],
    probes = 0,
    widening = false,
    wideningReasons: string[] = [],
    after?: CompiledPolicy,
  ) => {
    const ok = checks.every((c) => c.passed);
    const digest = sha256Hex(
      canonicalJson({ fragment: input.fragment.text, checks, changes: changes.length }),
    );
    return {
      ok,
      checks,
      changes: changes.slice(0, MAX_CHANGES_SHOWN),
      changedCount: changes.length,
      probes,
      widening,
      wideningReasons,
      digest,
      ...(after && { after }),
    };
  };
  let doc: unknown;
  try {
    doc = parseYaml(input.fragment.text, { maxAliasCount: 0, uniqueKeys: true, strict: true });
  } catch (err) {
    checks.push({
      name: 'fragment-shape',
      passed: false,
      detail: `not one YAML document: ${(err as Error).message.split('\n')[0]}`,
    });
    return finish();
  }
  const shape = fragmentShapeProblem(doc);
  checks.push({
    name: 'fragment-shape',
    passed: shape === undefined,
    detail:
      shape ??
      ((doc as { groups?: unknown }).groups === undefined
        ? 'rules and tests only'
        : 'rules, tests and groups of the people its rules name as approvers'),
  });
  if (shape) return finish();
  const rules = ((doc as { rules?: RuleDocument[] }).rules ?? []) as RuleDocument[];

  const base = checkPolicy(input.sources);
  const combined = checkPolicy([...input.sources, input.fragment]);
  if (!base.policy) {
    checks.push({ name: 'compiles', passed: false, detail: 'the existing policy does not compile' });
    return finish();
  }
  const groups = groupsProblem(doc as { groups?: unknown }, rules, base.policy);
  if (groups) {
    checks.push({ name: 'fragment-shape', passed: false, detail: groups });
    return finish();
  }
  if (!combined.policy) {
    const errors = combined.diagnostics.filter((d) => d.severity === 'error');
    checks.push({
      name: 'compiles',
      passed: false,
      detail: errors.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('; '),
    });
    return finish();
  }
  checks.push({
    name: 'compiles',
    passed: true,
    detail: `with the ${base.policy.rules.length} rules of the policy`,
  });
  const known = new Set(base.diagnostics.map((d) => d.message));
  const fresh = combined.diagnostics.filter((d) => d.severity === 'warning' && !known.has(d.message));
  checks.push({
    name: 'no-new-warnings',
    passed: fresh.length === 0,
    detail: fresh.length === 0 ? 'none' : fresh.map((d) => d.message).join('; '),
  });

  const before = base.policy;
  const after = combined.policy;
  const domain = companyDomainOf(before);
  const probes = probesFor(before, rules, domain);
  const changes: DecisionChange[] = [];
  const mispredicted: string[] = [];
  const evaluated = new Map<string, { clean: number; errors: string[] }>();
  const widened: DecisionChange[] = [];
  for (const probe of probes) {
    const b = decide(before, probe.request);
    const a = decide(after, probe.request);
    for (const rule of rules) {
      if (!ruleSelects(rule, before, probe.request.tool, probe.request.agent.name)) continue;
      const e = a.errors.find((x) => x.rule === rule.id);
      const tally = evaluated.get(rule.id) ?? { clean: 0, errors: [] };
      if (e) tally.errors.push(`${rule.id} on ${probe.request.tool} (${probe.summary}): ${e.message}`);
      else tally.clean++;
      evaluated.set(rule.id, tally);
    }
    const change = {
      agent: probe.request.agent.name,
      tool: probe.request.tool,
      summary: probe.summary,
      before: b.effect,
      after: a.effect,
    };
    if (a.effect !== b.effect) changes.push(change);
    if (widens(b.effect, a.effect)) widened.push(change);
    if (input.meanings) {
      let expected = b.effect;
      for (const [i, m] of input.meanings.entries())
        expected = predictedEffect(m, probe, expected, rules[i]?.id);
      if (expected !== a.effect && mispredicted.length < 5)
        mispredicted.push(
          `${change.agent} → ${change.tool} (${probe.summary}): expected ${expected}, got ${a.effect}`,
        );
    }
  }
  // A missing resource fact on a tool that has none fails closed, as hand-written rules do; a
  // condition that errors on every request it selects, or errors otherwise, is broken.
  const errors: string[] = [];
  let tolerated = 0;
  for (const [id, tally] of evaluated) {
    const missingFacts = tally.errors.filter((e) => /No such key/.test(e));
    if (tally.clean === 0 && tally.errors.length > 0)
      errors.push(`${id} errors on every request it selects: ${tally.errors[0]}`);
    else if (missingFacts.length < tally.errors.length)
      errors.push(...tally.errors.filter((e) => !/No such key/.test(e)));
    else tolerated += missingFacts.length;
  }
  checks.push({
    name: 'conditions-evaluate',
    passed: errors.length === 0,
    detail:
      errors.length === 0
        ? `on ${probes.length} requests${tolerated > 0 ? ` (${tolerated} fail closed on a fact a tool does not have)` : ''}`
        : `${errors.length} error(s), first: ${errors[0]}`,
  });
  if (input.meanings)
    checks.push({
      name: 'generated-tests',
      passed: mispredicted.length === 0,
      detail:
        mispredicted.length === 0
          ? `${probes.length} requests decided as the sentence says`
          : mispredicted.join('; '),
    });
  const results = runPolicyTests(after);
  const failed = results.filter((r) => !r.passed);
  checks.push({
    name: 'policy-tests',
    passed: failed.length === 0,
    detail:
      failed.length === 0
        ? `${results.length} passed (the policy's and the fragment's)`
        : failed
            .map((r) => `${r.name}: ${r.failure}`)
            .slice(0, 3)
            .join('; '),
  });
  const allowRules = rules.filter((r) => r.effect === 'allow').map((r) => r.id);
  const wideningReasons = [
    ...(widened.length > 0 ? [`${widened.length} request(s) go from deny or approve to allow`] : []),
    ...(allowRules.length > 0
      ? [`effect allow (${allowRules.join(', ')}): the sentence grants; deny and approve rules still win`]
      : []),
  ];
  checks.push({
    name: 'no-widening',
    passed: widened.length === 0,
    detail:
      widened.length === 0
        ? 'no request goes from deny or approve to allow'
        : widened
            .slice(0, 3)
            .map((c) => `${c.agent} → ${c.tool} (${c.summary}): ${c.before} → ${c.after}`)
            .join('; '),
  });
  return finish(changes, probes.length, wideningReasons.length > 0, wideningReasons, after);
}

function fragmentShapeProblem(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'not a policy document';
  const extra = Object.keys(doc).filter((k) => !FRAGMENT_KEYS.has(k));
  if (extra.length > 0) return `a fragment holds rules and tests only, not ${extra.join(', ')}`;
  const rules = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(rules) || rules.length === 0) return 'no rules';
  if (rules.length > MAX_FRAGMENT_RULES)
    return `${rules.length} rules; a fragment holds at most ${MAX_FRAGMENT_RULES}`;
  return undefined;
}

/**
 * A group a fragment declares may only gather people the policy already names (owners, group
 * members) for the fragment's own approvals: it gives no stranger a say, and no existing rule
 * can name a group the policy did not have.
 */
function groupsProblem(
  doc: { groups?: unknown },
  rules: readonly RuleDocument[],
  policy: CompiledPolicy,
): string | undefined {
  if (doc.groups === undefined) return undefined;
  if (typeof doc.groups !== 'object' || doc.groups === null || Array.isArray(doc.groups))
    return 'groups must map a name to its members';
  const people = new Set(
    [...[...policy.agents.values()].map((a) => a.owner), ...[...policy.groups.values()].flat()].map((e) =>
      e.toLowerCase(),
    ),
  );
  const used = new Set(rules.flatMap((r) => (Array.isArray(r?.approval?.groups) ? r.approval.groups : [])));
  for (const [name, members] of Object.entries(doc.groups)) {
    if (!used.has(name)) return `group ${name} is approved by no rule of the fragment`;
    if (!Array.isArray(members)) return `group ${name} must list its members`;
    const stranger = members.find((m) => typeof m !== 'string' || !people.has(m.toLowerCase()));
    if (stranger !== undefined)
      return `group ${name} names ${String(stranger)}, whom the policy does not name as an owner or group member`;
  }
  return undefined;
}

/** The most common domain of the policy's owners and group members. */
function companyDomainOf(policy: CompiledPolicy): string {
  const counts = new Map<string, number>();
  for (const e of [
    ...[...policy.agents.values()].map((a) => a.owner),
    ...[...policy.groups.values()].flat(),
  ]) {
    const d = /@([^@]+)$/.exec(e)?.[1]?.toLowerCase();
    if (d) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'example.com';
}
