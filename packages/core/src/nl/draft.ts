import { parse, stringify } from 'yaml';
import { withinGrants } from '../identity/scope.js';
import { checkPolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import type { RuleDocument, TestDocument } from '../policy/schema.js';
import type { CompiledPolicy, PolicySource } from '../policy/types.js';
import { compileSentence, type Refusal } from './compile-sentence.js';
import { declaredGroups, ruleFromMeaning, ruleIdFor } from './emit-rule.js';
import type { SentenceMeaning } from './meaning.js';
import { probesFor, ruleSelects } from './probes.js';
import { type VerificationReport, verifyFragment } from './verify.js';
import { vocabularyOf } from './vocabulary.js';

/** A draft: the fragment, what each sentence meant, and the verification report. */
export type Draft =
  | {
      readonly ok: true;
      readonly fragment: PolicySource;
      readonly rules: readonly RuleDocument[];
      readonly meanings: readonly SentenceMeaning[];
      readonly report: VerificationReport;
    }
  | {
      readonly ok: false;
      readonly refusals: readonly { readonly sentence: string; readonly refusal: Refusal }[];
    };

/** Most generated tests written into a fragment per rule: enough to pin it, few enough to read. */
const TESTS_PER_RULE = 8;

/**
 * Compiles sentences with the grammar into one fragment, generates its tests and verifies it
 * against the policy. Every sentence must compile: one refusal refuses the draft.
 */
export function draftFromSentences(
  sentences: readonly string[],
  sources: readonly PolicySource[],
  fragmentName = 'nl-fragment.yaml',
): Draft {
  const base = checkPolicy(sources);
  if (!base.policy)
    return {
      ok: false,
      refusals: [
        {
          sentence: '',
          refusal: {
            code: 'GH_NL_UNSUPPORTED',
            message: 'the policy does not compile',
            unparsed: [],
            suggestions: [],
          },
        },
      ],
    };
  const vocabulary = vocabularyOf(base.policy);
  const meanings: SentenceMeaning[] = [];
  const refusals: { sentence: string; refusal: Refusal }[] = [];
  for (const sentence of sentences) {
    const r = compileSentence(sentence, vocabulary);
    if (r.ok) meanings.push(...r.meanings);
    else refusals.push({ sentence, refusal: r.refusal });
  }
  if (refusals.length > 0) return { ok: false, refusals };
  const taken = new Set(base.policy.rules.map((r) => r.id));
  const rules = meanings.map((m) => {
    const rule = ruleFromMeaning(m, ruleIdFor(m.sentence, taken));
    taken.add(rule.id);
    return rule;
  });
  const groups = declaredGroups(meanings);
  const tests = generatedTests(base.policy, sources, rules, fragmentName, groups);
  const fragment = { name: fragmentName, text: renderFragment(rules, tests, groups) };
  const report = verifyFragment({ sources, fragment, meanings });
  return { ok: true, fragment, rules, meanings, report: stripPolicy(report) };
}

/**
 * Verifies a fragment another compiler (a model) wrote for `sentences`: one rule per sentence
 * at most, each described by its sentence verbatim, then the same verification as the
 * grammar's. When it passes, the model's own tests are replaced by generated ones and the
 * fragment is verified again.
 */
export function draftFromFragment(
  text: string,
  sentences: readonly string[],
  sources: readonly PolicySource[],
  fragmentName = 'nl-fragment.yaml',
): Draft {
  const raw = { name: fragmentName, text };
  const first = stripPolicy(verifyFragment({ sources, fragment: raw }));
  let rules: RuleDocument[] = [];
  // The groups the verification above let through: people the policy names, for these rules.
  let groups: Record<string, string[]> = {};
  try {
    const doc = parse(text) as { rules?: RuleDocument[]; groups?: Record<string, string[]> } | null;
    rules = (doc?.rules ?? []) as RuleDocument[];
    groups = doc?.groups ?? {};
  } catch {
    // The verification above already reports a fragment that is not YAML.
  }
  const stray = Array.isArray(rules)
    ? rules.filter((r) => !sentences.includes(String(r?.description ?? '')))
    : [];
  const tooMany = Array.isArray(rules) && rules.length > sentences.length;
  const match = {
    name: 'rules-match-sentences' as const,
    passed: Array.isArray(rules) && stray.length === 0 && !tooMany,
    detail: tooMany
      ? `${rules.length} rules for ${sentences.length} sentence(s): one rule per sentence`
      : stray.length > 0
        ? `rule(s) ${stray.map((r) => r?.id).join(', ')} describe something no sentence said`
        : 'one rule per sentence, each described by its sentence',
  };
  if (!first.ok || !match.passed) {
    return {
      ok: true,
      fragment: raw,
      rules,
      meanings: [],
      report: { ...first, ok: false, checks: [match, ...first.checks] },
    };
  }
  const base = checkPolicy(sources);
  const tests = base.policy ? generatedTests(base.policy, sources, rules, fragmentName, groups) : [];
  const fragment = { name: fragmentName, text: renderFragment(rules, tests, groups) };
  const report = stripPolicy(verifyFragment({ sources, fragment }));
  return {
    ok: true,
    fragment,
    rules,
    meanings: [],
    report: { ...report, checks: [match, ...report.checks] },
  };
}

/** The report without the compiled policy the verifier built. */
export function stripPolicy(report: VerificationReport & { after?: CompiledPolicy }): VerificationReport {
  const { after: _after, ...rest } = report;
  return rest;
}

/**
 * A fragment as YAML: a header saying where it came from, then the groups of people its
 * sentences name as approvers, rules and tests.
 */
export function renderFragment(
  rules: readonly RuleDocument[],
  tests: readonly TestDocument[],
  groups: Readonly<Record<string, readonly string[]>> = {},
): string {
  const header =
    "# Drafted by `gatehouse policy draft` from the sentences in each rule's description.\n# Verified before adoption; edit the sentence and draft again rather than the YAML.\n";
  return (
    header +
    stringify(
      {
        version: 1,
        ...(Object.keys(groups).length > 0 && { groups }),
        rules,
        ...(tests.length > 0 && { tests }),
      },
      { lineWidth: 0 },
    )
  );
}

/**
 * Tests that pin the fragment in the policy: probes by declared agents granted the tool, one
 * per distinct outcome, with the decision the combined policy gives.
 */
function generatedTests(
  policy: CompiledPolicy,
  sources: readonly PolicySource[],
  rules: readonly RuleDocument[],
  fragmentName: string,
  groups: Readonly<Record<string, readonly string[]>> = {},
): TestDocument[] {
  const draft = checkPolicy([...sources, { name: fragmentName, text: renderFragment(rules, [], groups) }]);
  if (!draft.policy) return [];
  const tests: TestDocument[] = [];
  for (const rule of rules) {
    const seen = new Set<string>();
    let count = 0;
    for (const probe of probesFor(policy, [rule])) {
      if (count >= TESTS_PER_RULE) break;
      const name = probe.agentName;
      const agent = name === undefined ? undefined : policy.agents.get(name);
      if (!agent || !withinGrants(probe.request.tool, agent.grants)) continue;
      const { agent: _identity, now, ...rest } = probe.request;
      const decision = decide(draft.policy, { ...rest, agent: agent.name, ...(now && { now }) });
      const request = { ...rest, agent: agent.name, ...(now && { now: now.toISOString() }) };
      const applied = decision.rules.some((r) => r.id === rule.id);
      if (!ruleSelects(rule, policy, probe.request.tool)) continue;
      const key = `${probe.request.tool}|${decision.effect}|${applied}|${probe.summary.split(', ')[0]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      count++;
      tests.push({
        name: `${rule.id}: ${agent.name} → ${probe.request.tool}${probe.summary ? ` (${probe.summary})` : ''} is ${decision.effect}`,
        request: cleanRequest(request),
        expect: decision.effect,
        ...(applied && { applies: [rule.id] }),
      });
    }
  }
  return tests;
}

/** Drops empty session and map entries, so generated tests read like hand-written ones. */
function cleanRequest(request: Record<string, unknown>): TestDocument['request'] {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) {
    if (v === undefined) continue;
    if (k === 'session') {
      const s = v as { labels?: string[]; calls?: number; intent?: string };
      const session = {
        ...(s.labels?.length && { labels: s.labels }),
        ...(s.calls && { calls: s.calls }),
        ...(s.intent && { intent: s.intent }),
      };
      if (Object.keys(session).length > 0) out.session = session;
      continue;
    }
    out[k] = v;
  }
  return out as TestDocument['request'];
}
