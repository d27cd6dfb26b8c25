/**
 * PDP latency: Gatehouse `decide` against cedar-wasm `statefulIsAuthorized`
 * on the same logical rule set (10, 100 and 1,000 rules) and the same
 * request mix. The engines must agree on every request before anything is
 * timed; a disagreement fails the bench.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { getCedarVersion, preparsePolicySet, statefulIsAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { compilePolicy, decide } from '@gatehouse/core';
import {
  cedarCallFor,
  cedarEffect,
  DEFAULT_SEED,
  generateCatalog,
  generateRequests,
  generateRules,
  renderCedar,
  renderGatehouse,
  rulesPerTool,
} from './pdp-scenario.js';

const RULE_COUNTS = [10, 100, 1000];
const REQUEST_COUNT = 400;
const RESULTS_FILE = new URL('./results/pdp.json', import.meta.url);

/** Targets from issue #2: evaluated at the largest rule count. */
const TARGET_P99_US = 10;
const TARGET_SPEEDUP = 20;

/**
 * How long each engine is measured. Gatehouse gets a fixed iteration count;
 * Cedar gets a time budget per rule count (it is much slower per call), with
 * a floor so its percentiles still rest on thousands of samples.
 */
const FULL = {
  gatehouseIterations: 200_000,
  gatehouseWarmup: 50_000,
  cedarBudgetMs: 9_000,
  cedarMinIterations: 2_000,
  cedarMaxIterations: 200_000,
  cedarWarmupMs: 500,
};
const QUICK = {
  gatehouseIterations: 20_000,
  gatehouseWarmup: 5_000,
  cedarBudgetMs: 500,
  cedarMinIterations: 200,
  cedarMaxIterations: 20_000,
  cedarWarmupMs: 100,
};

/**
 * @typedef {object} Measurement
 * @property {string} engine
 * @property {number} rules
 * @property {number} p50_us
 * @property {number} p99_us
 * @property {number} mean_us
 * @property {number} iterations
 */

/**
 * Runs the PDP benchmark, prints a table and writes `bench/results/pdp.json`.
 *
 * @param {{ quick?: boolean }} [options] `quick` runs far fewer iterations (a smoke test, not a measurement)
 * @returns {Promise<{ ok: boolean }>} `ok` is false when the engines disagreed on any request
 */
export async function run(options = {}) {
  const plan = options.quick ? QUICK : FULL;
  const node = process.version;
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown';
  const cedarVersion = getCedarVersion();
  console.log(`\nPDP latency: Gatehouse decide() vs cedar-wasm ${cedarVersion} statefulIsAuthorized()`);
  console.log(`node ${node}, ${cpu}${options.quick ? ', QUICK mode (smoke test, not a measurement)' : ''}`);

  const timerOverheadNs = measureTimerOverheadNs();
  console.log(
    `timer: process.hrtime.bigint() around each call, ~${timerOverheadNs} ns overhead per sample (included)\n`,
  );

  const catalog = generateCatalog(DEFAULT_SEED);
  const requests = generateRequests(catalog, REQUEST_COUNT, DEFAULT_SEED);
  console.log(
    `catalog: ${catalog.tools.length} tools in ${catalog.services.length} services, ${catalog.agents.length} agents; ` +
      `${requests.length} requests`,
  );

  // Agreement first, for every size: timings only compare like with like.
  const scenarios = [];
  const mixes = [];
  let ok = true;
  for (const ruleCount of RULE_COUNTS) {
    const rules = generateRules(catalog, ruleCount, DEFAULT_SEED);
    const policy = compilePolicy({ name: `bench-${ruleCount}.yaml`, text: renderGatehouse(catalog, rules) });
    const cedar = renderCedar(catalog, rules);
    const policySetId = `bench-${ruleCount}`;
    const parsed = preparsePolicySet(policySetId, { staticPolicies: cedar.policies });
    if (parsed.type !== 'success') {
      throw new Error(
        `cedar rejected the generated policy set: ${parsed.errors.map((e) => e.message).join('; ')}`,
      );
    }
    const calls = requests.map((r) => cedarCallFor(cedar, r, policySetId));

    const agreement = compareEngines(requests, calls, policy, cedar);
    const perTool = rulesPerTool(catalog, rules);
    const selected = requests.map((r) => perTool.get(r.tool)).filter((n) => n !== undefined);
    const perRequest = {
      mean: round(selected.reduce((a, b) => a + b, 0) / selected.length, 1),
      max: Math.max(...selected),
    };
    mixes.push({ rules: ruleCount, ...agreement.mix, rules_selected_per_request: perRequest });
    console.log(
      `${fmtInt(ruleCount).padStart(5)} rules (${Object.keys(cedar.policies).length} cedar policies, ` +
        `${perRequest.mean} selected per request by tool/category, max ${perRequest.max}): ` +
        `${describeMix(agreement.mix)}; mismatches: ${agreement.mismatches.length}` +
        (agreement.unexpectedErrors.length > 0
          ? `; unexpected cedar errors: ${agreement.unexpectedErrors.length}`
          : ''),
    );
    for (const m of agreement.mismatches.slice(0, 5)) {
      console.log(`  MISMATCH ${JSON.stringify(m.request)}: gatehouse=${m.gatehouse} cedar=${m.cedar}`);
    }
    for (const e of agreement.unexpectedErrors.slice(0, 5)) {
      console.log(`  CEDAR ERROR ${JSON.stringify(e.request)}: ${e.message}`);
    }
    if (agreement.mismatches.length > 0 || agreement.unexpectedErrors.length > 0) ok = false;
    scenarios.push({ ruleCount, policy, cedar, calls });
  }
  if (!ok) {
    console.log(
      '\nFAIL: the engines disagree, so the timings would compare different things; nothing was timed.',
    );
    return { ok };
  }

  /** @type {Measurement[]} */
  const measurements = [];
  for (const { ruleCount, policy, cedar, calls } of scenarios) {
    const decideWithGatehouse = (request) => decide(policy, request).effect;
    const decideWithCedar = (call) => cedarEffect(statefulIsAuthorized(call), cedar.effects);
    measurements.push({
      engine: 'gatehouse',
      rules: ruleCount,
      ...measure(decideWithGatehouse, requests, {
        iterations: plan.gatehouseIterations,
        warmup: plan.gatehouseWarmup,
      }),
    });
    const cedarMean = estimateMeanNs(decideWithCedar, calls, plan.cedarWarmupMs);
    const cedarIterations = clamp(
      Math.floor((plan.cedarBudgetMs * 1e6) / cedarMean),
      plan.cedarMinIterations,
      plan.cedarMaxIterations,
    );
    measurements.push({
      engine: 'cedar-wasm',
      rules: ruleCount,
      ...measure(decideWithCedar, calls, { iterations: cedarIterations, warmup: 0 }),
    });
  }

  const date = new Date().toISOString();
  const rows = measurements.map((m) => {
    const gh = measurements.find((x) => x.engine === 'gatehouse' && x.rules === m.rules);
    const cd = measurements.find((x) => x.engine === 'cedar-wasm' && x.rules === m.rules);
    const ratio = { p50: round(cd.p50_us / gh.p50_us, 1), p99: round(cd.p99_us / gh.p99_us, 1) };
    return { ...m, ratio, node, cpu, date };
  });
  printTable(rows);
  const targets = evaluateTargets(rows);
  console.log('\nTargets');
  const nameWidth = Math.max(...targets.map((t) => t.name.length));
  for (const t of targets) {
    console.log(`  ${t.pass ? 'PASS' : 'MISS'}  ${t.name.padEnd(nameWidth)}  measured ${t.measured}`);
  }

  await mkdir(new URL('.', RESULTS_FILE), { recursive: true });
  const report = {
    bench: 'pdp',
    node,
    cpu,
    date,
    cedar_wasm: cedarVersion,
    quick: Boolean(options.quick),
    seed: DEFAULT_SEED,
    timer_overhead_ns: timerOverheadNs,
    requests: requests.length,
    mix: mixes,
    results: rows,
    targets,
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_FILE.pathname}`);
  return { ok };
}

/**
 * Decides every request with both engines and returns the effect mix (by
 * Gatehouse's reason) and every disagreement. Cedar errors are expected only
 * where the agent or tool does not exist (the gate policies deny those); an
 * error anywhere else means a translated condition failed, which Cedar
 * treats as "policy does not apply" and Gatehouse as "deny", so it counts as
 * a failure of the translation.
 */
function compareEngines(requests, calls, policy, cedar) {
  const mix = { allow: 0, 'deny-gate': 0, 'deny-rule': 0, approve: 0 };
  const mismatches = [];
  const unexpectedErrors = [];
  requests.forEach((request, i) => {
    const decision = decide(policy, request);
    const answer = statefulIsAuthorized(calls[i]);
    const cedarSays = cedarEffect(answer, cedar.effects);
    if (decision.effect === 'deny') mix[decision.code === 'rule-deny' ? 'deny-rule' : 'deny-gate']++;
    else mix[decision.effect]++;
    if (cedarSays !== decision.effect) {
      mismatches.push({ request, gatehouse: `${decision.effect} (${decision.code})`, cedar: cedarSays });
      return;
    }
    if (answer.type !== 'success') {
      unexpectedErrors.push({ request, message: answer.errors.map((e) => e.message).join('; ') });
      return;
    }
    // Same effect; when the rules ran, the same rules must also have applied.
    // Cedar names the satisfied policies of the winning kind: every forbid
    // (deny and approve rules) on a deny, every permit (grant and allow rules)
    // on an allow.
    if (decision.code.startsWith('rule-') || decision.code === 'granted') {
      const winning = decision.effect === 'allow' ? ['allow'] : ['deny', 'approve'];
      const expected = decision.rules.filter((r) => winning.includes(r.effect)).map((r) => r.id);
      const named = answer.response.diagnostics.reason.filter((id) => !id.startsWith('grant-')).sort();
      if (expected.sort().join() !== named.join()) {
        mismatches.push({
          request,
          gatehouse: `${decision.effect} by [${expected.join(', ')}]`,
          cedar: `${cedarSays} by [${named.join(', ')}]`,
        });
      }
    }
    const known = cedar.agentEntities.has(request.agent) && cedar.toolEntities.has(request.tool);
    if (known && answer.response.diagnostics.errors.length > 0) {
      const messages = answer.response.diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
      unexpectedErrors.push({ request, message: messages.join('; ') });
    }
  });
  return { mix, mismatches, unexpectedErrors };
}

/** The median cost of one empty timed sample (second pass, once warm): the floor under every figure. */
function measureTimerOverheadNs() {
  const samples = new Float64Array(100_000);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < samples.length; i++) {
      const start = process.hrtime.bigint();
      samples[i] = Number(process.hrtime.bigint() - start);
    }
  }
  samples.sort();
  return samples[samples.length >> 1];
}

/** Runs `decideOnce` for about `ms` milliseconds and returns its mean latency in ns (also the warm-up). */
function estimateMeanNs(decideOnce, inputs, ms) {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let calls = 0;
  let now = start;
  while (now < deadline) {
    sink(decideOnce(inputs[calls % inputs.length]));
    calls++;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / calls;
}

/**
 * Times each call individually with `process.hrtime.bigint()`, cycling
 * through the inputs. Timer overhead (tens of ns) is included in the figures.
 *
 * @returns {{ p50_us: number, p99_us: number, mean_us: number, iterations: number }}
 */
function measure(decideOnce, inputs, { iterations, warmup }) {
  for (let i = 0; i < warmup; i++) sink(decideOnce(inputs[i % inputs.length]));
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const input = inputs[i % inputs.length];
    const start = process.hrtime.bigint();
    const effect = decideOnce(input);
    samples[i] = Number(process.hrtime.bigint() - start);
    sink(effect);
  }
  let total = 0;
  for (const s of samples) total += s;
  samples.sort();
  const at = (q) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)];
  return {
    p50_us: round(at(0.5) / 1000, 3),
    p99_us: round(at(0.99) / 1000, 3),
    mean_us: round(total / iterations / 1000, 3),
    iterations,
  };
}

/** Keeps results observable so the optimiser cannot drop the calls being timed. */
const effectCounts = { allow: 0, deny: 0, approve: 0 };
function sink(effect) {
  effectCounts[effect]++;
}

function evaluateTargets(rows) {
  const largest = Math.max(...rows.map((r) => r.rules));
  const gh = rows.find((r) => r.engine === 'gatehouse' && r.rules === largest);
  return [
    {
      name: `gatehouse p99 <= ${TARGET_P99_US} µs at ${fmtInt(largest)} rules`,
      measured: `${gh.p99_us} µs`,
      pass: gh.p99_us <= TARGET_P99_US,
    },
    {
      name: `>= ${TARGET_SPEEDUP}x faster than cedar-wasm at p50 (${fmtInt(largest)} rules)`,
      measured: `${gh.ratio.p50}x`,
      pass: gh.ratio.p50 >= TARGET_SPEEDUP,
    },
    {
      name: `>= ${TARGET_SPEEDUP}x faster than cedar-wasm at p99 (${fmtInt(largest)} rules)`,
      measured: `${gh.ratio.p99}x`,
      pass: gh.ratio.p99 >= TARGET_SPEEDUP,
    },
  ];
}

function printTable(rows) {
  const header = [
    'rules',
    'engine',
    'p50 µs',
    'p99 µs',
    'mean µs',
    'iterations',
    'cedar/gh p50',
    'cedar/gh p99',
  ];
  const body = rows.map((r) => [
    fmtInt(r.rules),
    r.engine,
    r.p50_us.toFixed(2),
    r.p99_us.toFixed(2),
    r.mean_us.toFixed(2),
    fmtInt(r.iterations),
    r.engine === 'cedar-wasm' ? `${r.ratio.p50}x` : '',
    r.engine === 'cedar-wasm' ? `${r.ratio.p99}x` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}`);
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

function describeMix(mix) {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const pct = (n) => `${Math.round((100 * n) / total)}%`;
  return (
    `allow ${pct(mix.allow)}, approve ${pct(mix.approve)}, deny by rule ${pct(mix['deny-rule'])}, ` +
    `deny before rules ${pct(mix['deny-gate'])}`
  );
}

const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;
const clamp = (value, min, max) => Math.min(max, Math.max(min, value));
const fmtInt = (n) => n.toLocaleString('en-US');
