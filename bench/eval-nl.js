/**
 * `npm run eval:nl`: measures the sentence compiler on the evaluation set (bench/nl/eval-set.yaml)
 * against bench/nl/policy.yaml: exact-decision accuracy per shape (every request of a sentence
 * decided as expected), the refusal rate on out-of-grammar sentences, wrong rules (a compiled
 * sentence with a wrong decision: the failure that matters), and compile time per sentence.
 *
 *   node bench/eval-nl.js                    the repository's set
 *   node bench/eval-nl.js --set F.yaml      another set in the repository's format
 *   node bench/eval-nl.js --file F.jsonl     a set of JSON lines: { sentence, shape?, refuse?,
 *                                            requests: [{ agent, tool, args?, usage?, …, expect }] }
 *
 * A request's `usage` is the calls the agent already made under the sentence's quota rules (a
 * number for all of them, or rule id → count); without it, a request is one call in a fresh window.
 *   node bench/eval-nl.js --policy P.yaml    another policy to compile against
 *   node bench/eval-nl.js --json             the figures as JSON
 *
 * Targets (issue 18): ≥ 95 % per shape, 100 % on the seed sentences, ≤ 5 ms per sentence.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  compilePolicy,
  compileSentence,
  decide,
  declaredGroups,
  ruleFromMeaning,
  vocabularyOf,
} from '../packages/core/dist/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const asJson = argv.includes('--json');
const policyPath = resolve(option('--policy') ?? join(root, 'bench/nl/policy.yaml'));
function join(...parts) {
  return resolve(...parts);
}

const DEFAULT_NOW = '2026-11-04T12:00:00Z';
const DEFAULT_ARGS = {
  'email.send': { to: ['bob@example.com'], subject: 'hi', body: 'hello' },
  'payments.transfer': { amount: 10, to: 'ACME' },
  'shell.exec': { command: 'ls' },
};

/** The path takes origins by leaf (`to[0]`); a set that names a list (`to`) means each of its items. */
function originsByLeaf(given, args) {
  const origins = { ...given };
  for (const [path, labels] of Object.entries(given)) {
    const value = args[path];
    if (!Array.isArray(value)) continue;
    delete origins[path];
    value.forEach((_, i) => {
      origins[`${path}[${i}]`] = [...(origins[`${path}[${i}]`] ?? []), ...labels];
    });
  }
  return origins;
}

/**
 * A request as a set written elsewhere spells it: `time` is the decision's clock, `intent` the
 * session's declared intent, and the tool's default arguments fill what a case leaves out.
 */
function requestOf(r) {
  const { time, intent, session, args, origin, ...rest } = r;
  // A value a trusted tool returned carries the origin `trusted` on the enforcement path
  // (core/src/path/session.ts); a set that marks it with provenance `trusted` means the same.
  const origins = { ...origin };
  for (const [path, labels] of Object.entries(r.provenance ?? {}))
    if (labels.includes('trusted')) origins[path] = [...(origins[path] ?? []), 'trusted'];
  const allArgs = { ...DEFAULT_ARGS[r.tool], ...args };
  const byLeaf = originsByLeaf(origins, allArgs);
  return {
    ...rest,
    ...(Object.keys(byLeaf).length > 0 && { origin: byLeaf }),
    args: allArgs,
    session: { labels: [], calls: 0, ...session, ...(intent !== undefined && { intent }) },
    now: time ?? r.now ?? DEFAULT_NOW,
  };
}

/** The set as cases: { shape, sentence, seed, refuse, requests: [{ request, expect, approvers? }] }. */
function loadCases() {
  const file = option('--file');
  if (file) {
    return readFileSync(resolve(file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((line) => {
        const c = JSON.parse(line);
        const marks = [c.expect, c.expected, c.kind, c.type, c.shape, c.category, c.outcome, c.label];
        const refuse =
          c.refuse === true ||
          c.must_refuse === true ||
          c.mustRefuse === true ||
          c.expect_refusal === true ||
          c.expectRefusal === true ||
          marks.some((m) => /^refus/.test(String(m)));
        // Tolerant of the field names a set written elsewhere may use for its requests.
        const list =
          [c.requests, c.cases, c.checks, c.tests, c.probes, c.examples].find(Array.isArray) ??
          Object.values(c).find(
            (v) =>
              Array.isArray(v) &&
              v.some((x) => x && typeof x === 'object' && ('tool' in x || 'request' in x)),
          ) ??
          [];
        return {
          shape: c.shape ?? c.category ?? (refuse ? 'refuse' : 'other'),
          sentence: c.sentence ?? c.text ?? c.rule,
          seed: false,
          refuse,
          requests: list.map((r) => {
            const { expect, expected, decision, effect, outcome, request, approvers, ...rest } = r;
            const want = String(expect ?? expected ?? decision ?? effect ?? outcome);
            const count = typeof approvers === 'number' ? approvers : approvers?.count;
            return {
              request: requestOf(request ?? rest),
              expect: /approv|ask|human|escalat/.test(want) ? 'approve' : want,
              ...(count !== undefined && { approvers: count }),
              ...(approvers?.group !== undefined && { group: approvers.group }),
              ...(approvers?.approver !== undefined && { approver: approvers.approver }),
            };
          }),
        };
      });
  }
  const set = parse(readFileSync(resolve(option('--set') ?? join(root, 'bench/nl/eval-set.yaml')), 'utf8'));
  const cases = [];
  for (const intent of set.intents) {
    intent.phrasings.forEach((sentence, i) => {
      cases.push({
        shape: intent.shape,
        sentence,
        seed: i < (intent.seed ?? 0),
        refuse: false,
        requests: intent.requests.map((r) => ({
          request: {
            agent: r.a,
            tool: r.t,
            args: { ...DEFAULT_ARGS[r.t], ...r.args },
            ...(r.origin && { origin: originsByLeaf(r.origin, { ...DEFAULT_ARGS[r.t], ...r.args }) }),
            ...(r.provenance && { provenance: r.provenance }),
            ...(r.mentions && { mentions: r.mentions }),
            ...(r.usage !== undefined && { usage: r.usage }),
            session: {
              labels: r.labels ?? [],
              calls: r.calls ?? 0,
              ...(r.intent && { intent: r.intent }),
            },
            now: r.now ?? DEFAULT_NOW,
          },
          expect: r.x,
          ...(r.n !== undefined && { approvers: r.n }),
          ...(r.by !== undefined && { eligible: r.by }),
        })),
      });
    });
  }
  for (const sentence of set.refuse ?? [])
    cases.push({ shape: 'refuse', sentence, seed: false, refuse: true, requests: [] });
  return cases;
}

/**
 * The calls a case says the agent already made under each quota rule of the fragment: a number
 * counts for every quota rule, an object by rule id; a case that says nothing is one call in a
 * fresh window (0), as cases written before quotas are.
 */
function usageFor(policy, given) {
  const ids = policy.rules.filter((r) => r.quota !== undefined).map((r) => r.id);
  return Object.fromEntries(ids.map((id) => [id, typeof given === 'number' ? given : (given?.[id] ?? 0)]));
}

const policyText = readFileSync(policyPath, 'utf8');
const base = compilePolicy({ name: 'policy.yaml', text: policyText });
const vocabulary = vocabularyOf(base);
const cases = loadCases();
// The first pass pays for compiling the grammar's patterns for this vocabulary (once per
// process); the figure is the steady per-sentence cost after it, and the cold cost is printed.
const coldStart = performance.now();
for (const c of cases) compileSentence(c.sentence, vocabulary);
const coldMs = performance.now() - coldStart;

const perShape = {};
const misses = [];
const times = [];
let wrongRules = 0;
/** Cases labelled allow (or approve) that the policy alone refuses (or denies): no rule can meet them. */
const unscorable = [];
let refusedOut = 0;
let seedTotal = 0;
let seedRight = 0;
let requestsTotal = 0;
let requestsRight = 0;
for (const c of cases) {
  // The least of five runs: on a shared machine a single timing includes the scheduler's pauses.
  let best = Number.POSITIVE_INFINITY;
  let result;
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    result = compileSentence(c.sentence, vocabulary);
    best = Math.min(best, performance.now() - t0);
  }
  times.push(best);
  perShape[c.shape] ??= { total: 0, right: 0, refused: 0, wrong: 0 };
  const s = perShape[c.shape];
  s.total++;
  if (c.refuse) {
    if (!result.ok) {
      s.right++;
      s.refused++;
      refusedOut++;
    } else {
      misses.push({ sentence: c.sentence, why: 'compiled, but must be refused' });
      s.wrong++;
      wrongRules++;
    }
    continue;
  }
  if (c.seed) seedTotal++;
  if (c.requests.length === 0) {
    s.unchecked = (s.unchecked ?? 0) + 1;
    misses.push({ sentence: c.sentence, why: 'no requests to check it against' });
    continue;
  }
  if (!result.ok) {
    s.refused++;
    misses.push({ sentence: c.sentence, why: `refused: ${result.refusal.message}` });
    requestsTotal += c.requests.length;
    continue;
  }
  const rules = result.meanings.map((m, i) => ruleFromMeaning(m, `nl-eval-${i + 1}`));
  const rule = rules.length === 1 ? rules[0] : rules;
  const groups = declaredGroups(result.meanings);
  const fragment = JSON.stringify({ version: 1, ...(Object.keys(groups).length > 0 && { groups }), rules });
  let policy;
  try {
    policy = compilePolicy([
      { name: 'policy.yaml', text: policyText },
      { name: 'fragment.yaml', text: fragment },
    ]);
  } catch (err) {
    misses.push({ sentence: c.sentence, why: `the rule does not compile: ${err.message}`, rule });
    s.wrong++;
    wrongRules++;
    requestsTotal += c.requests.length;
    continue;
  }
  let all = true;
  for (const r of c.requests) {
    const request = withToolOrigins({
      ...r.request,
      ...(r.request.now && { now: new Date(r.request.now) }),
      usage: usageFor(policy, r.request.usage),
    });
    // A case the policy alone already decides against its label (an intent that excludes
    // the tool, a grant) cannot be met by any rule (deny > approve > allow): it judges the
    // set's label, not the compiler, and is counted apart.
    const alone = r.expect === 'deny' ? undefined : decide(base, request).effect;
    if ((r.expect === 'allow' && alone !== 'allow') || (r.expect === 'approve' && alone === 'deny')) {
      unscorable.push(`${c.sentence} — ${r.request.agent} → ${r.request.tool}`);
      continue;
    }
    requestsTotal++;
    const d = decide(policy, request);
    const approvers = Math.max(0, ...(d.approval?.requirements ?? []).map((q) => q.approvers));
    // Who may approve, not what their group is called: "Carol or Dave" is met by a group of
    // just them as by the policy's own group of the same members; "Carol" by a group of her alone.
    const eligible = new Set(
      (d.approval?.requirements ?? []).flatMap((q) => q.groups.flatMap((g) => policy.groups.get(g) ?? [])),
    );
    const sameMembers = (members) =>
      members.length === eligible.size && members.every((m) => eligible.has(m));
    const ok =
      d.effect === r.expect &&
      (r.approvers === undefined || approvers === r.approvers) &&
      (r.group === undefined || sameMembers(base.groups.get(r.group) ?? [r.group])) &&
      (r.approver === undefined || sameMembers([r.approver])) &&
      (r.eligible === undefined || sameMembers(r.eligible));
    if (ok) requestsRight++;
    else {
      all = false;
      misses.push({
        sentence: c.sentence,
        why: `${r.request.agent} → ${r.request.tool}: expected ${r.expect}${r.approvers ? `/${r.approvers}` : ''}, got ${d.effect}${approvers ? `/${approvers}` : ''}`,
        rule,
      });
    }
  }
  if (all) {
    s.right++;
    if (c.seed) seedRight++;
  } else {
    s.wrong++;
    wrongRules++;
  }
}

/**
 * A set may name the tool a value came from as its origin (`email.read`). On the enforcement path
 * that value carries the tool's labels instead (core/src/path/session.ts): `trusted` vouches for
 * it, any other label (`untrusted`) is its provenance and is also the origin it is known by, so it
 * is not a value the model made up; none of those vouches for it.
 */
function withToolOrigins(request) {
  if (!request.origin) return request;
  const origin = {};
  const provenance = { ...request.provenance };
  for (const [path, given] of Object.entries(request.origin)) {
    origin[path] = [];
    for (const o of given) {
      const tool = base.tools.get(o);
      if (!tool) {
        origin[path].push(o);
        continue;
      }
      for (const label of tool.labels ?? []) {
        origin[path].push(label);
        if (label !== 'trusted') provenance[path] = [...new Set([...(provenance[path] ?? []), label])];
      }
    }
  }
  return { ...request, origin, ...(Object.keys(provenance).length > 0 && { provenance }) };
}

const sorted = [...times].sort((a, b) => a - b);
const pct = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const inGrammar = cases.filter((c) => !c.refuse);
const outOfGrammar = cases.filter((c) => c.refuse);
const figures = {
  sentences: cases.length,
  requests: requestsTotal,
  perShape: Object.fromEntries(
    Object.entries(perShape).map(([k, v]) => [k, { ...v, accuracy: v.right / v.total }]),
  ),
  accuracy: inGrammar.length
    ? (inGrammar.length -
        misses.filter((m) => !m.why.startsWith('compiled')).reduce((set, m) => set.add(m.sentence), new Set())
          .size) /
      inGrammar.length
    : 1,
  requestAccuracy: requestsTotal ? requestsRight / requestsTotal : 1,
  seedAccuracy: seedTotal ? seedRight / seedTotal : 1,
  refusalRate: outOfGrammar.length ? refusedOut / outOfGrammar.length : 1,
  wrongRules,
  unscorable,
  compileMs: { median: pct(0.5), p95: pct(0.95), max: sorted.at(-1), coldFirstPassTotal: coldMs },
  misses,
};
if (asJson) console.log(JSON.stringify(figures, null, 2));
else {
  console.log(
    `${cases.length} sentences (${inGrammar.length} to compile, ${outOfGrammar.length} to refuse), ${requestsTotal} requests — ${policyPath.replace(`${root}/`, '')}`,
  );
  console.log('shape            sentences  exact  refused  wrong');
  for (const [shape, v] of Object.entries(perShape))
    console.log(
      `${shape.padEnd(16)} ${String(v.total).padStart(9)}  ${((100 * v.right) / v.total).toFixed(1).padStart(5)}%  ${String(v.refused).padStart(7)}  ${String(v.wrong).padStart(5)}`,
    );
  console.log(
    `exact-decision accuracy: ${(100 * figures.accuracy).toFixed(1)}% of sentences, ${(100 * figures.requestAccuracy).toFixed(1)}% of requests; seed sentences ${(100 * figures.seedAccuracy).toFixed(0)}%`,
  );
  console.log(
    `refusal rate on out-of-grammar sentences: ${(100 * figures.refusalRate).toFixed(1)}%; wrong rules: ${wrongRules}`,
  );
  if (unscorable.length > 0)
    console.log(
      `not scored: ${unscorable.length} case(s) labelled allow or approve that the policy alone refuses or denies (no rule can give them): ${unscorable.join('; ')}`,
    );
  console.log(
    `compile time per sentence (least of 5 runs): median ${figures.compileMs.median.toFixed(2)} ms, p95 ${figures.compileMs.p95.toFixed(2)} ms, max ${figures.compileMs.max.toFixed(2)} ms (first pass over the set, patterns compiled: ${coldMs.toFixed(0)} ms in all)`,
  );
  for (const m of misses) console.log(`  miss: "${m.sentence}" — ${m.why}`);
}
const failed =
  Object.entries(perShape).some(([k, v]) => k !== 'refuse' && v.right / v.total < 0.95) ||
  figures.seedAccuracy < 1 ||
  figures.refusalRate < 1 ||
  figures.compileMs.p95 > 5;
process.exitCode = option('--file') || option('--set') ? 0 : failed ? 1 : 0;
