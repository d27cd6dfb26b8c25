/**
 * `npm run train:detector`: trains the injection detector's learned model
 * (packages/core/src/detectors/injection-model.ts) on the repository's
 * corpora and writes its weights to injection-model-weights.ts. Reads the
 * built core package (run `npm run build` first; the script's npm entry does).
 *
 *   node test/corpus/train-model.mjs          train on every corpus, write the weights
 *   node test/corpus/train-model.mjs --eval   also measure how the model generalises: each
 *                                             family (named alike across corpora) left out of
 *                                             training in turn, and the odd-numbered halves of
 *                                             the later blind splits (2–14), which are never
 *                                             trained on; the model alone and as shipped, beside
 *                                             the rules alone
 *   node test/corpus/train-model.mjs --checks only the odd halves, not each family left out (quicker)
 *   --no-write                                with --checks: only the checks, no shipped weights (half the time)
 *   --set NAME=VALUE                          override a training setting (SETTINGS below)
 *   --dump FILE                               with --checks: each checked record's scores as JSONL,
 *                                             to see which families a change moves
 *
 * The model: logistic regression over the hashed features of windows of a
 * text, its score the strongest window's (multiple-instance learning: a
 * benign text's every window is benign, an injected text has one window that
 * is not). The first fit guesses the injected window from the rules' cues
 * (the window with most hits); each later round takes, under the current
 * weights, the strongest window of every text, and of a benign text its other
 * windows lightly too. Deterministic: full batch, no sampling, so the same
 * corpora give the same weights.
 *
 * Against fitting a generator's artefacts: L2 regularisation, numbers and
 * ids collapsed to one token (injection-model.ts), the phrase rules left out
 * of the features (they were tuned on these corpora), and buckets seen in
 * fewer than SETTINGS.minDocs texts left at zero.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { injectionEvidence } from '../../packages/core/dist/detectors/injection.js';
import { CUES } from '../../packages/core/dist/detectors/injection-cues.js';
import { FEATURE_RULES } from '../../packages/core/dist/detectors/injection-features.js';
import {
  MODEL_BITS,
  modelFeatures,
  namedBuckets,
} from '../../packages/core/dist/detectors/injection-model.js';
import { logitOf } from '../../packages/core/dist/detectors/injection-model-verdict.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The training corpora. Of the later blind splits (2–14) only the
 * even-numbered records are read: the odd ones stay a check (`--eval`, and
 * CHECKS below) of a model trained without them; the shipped weights are
 * then trained on those halves too, except the fourteenth's. The fourteenth's
 * even half weighs SETTINGS.b14 a record: at full weight its business-procedure
 * attacks pulled older splits' ordinary procedure over the line.
 */
const CORPORA = [
  { file: 'test/corpus/injection.jsonl' },
  { file: 'test/corpus/outside-dev.jsonl' },
  { file: 'test/corpus/blind-heldout.jsonl' },
  { file: 'test/corpus/blind2-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind3-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind4-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind5-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind6-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind7-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind8-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind9-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind10-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind11-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind12-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind13-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0 },
  { file: 'test/corpus/blind14-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 0, weight: 'b14' },
  { file: 'test/corpus/written.jsonl' },
];
/** The halves no model here trains on. */
const CHECKS = [
  { name: 'blind2 odd', file: 'test/corpus/blind2-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind3 odd', file: 'test/corpus/blind3-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind4 odd', file: 'test/corpus/blind4-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind5 odd', file: 'test/corpus/blind5-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind6 odd', file: 'test/corpus/blind6-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind7 odd', file: 'test/corpus/blind7-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind8 odd', file: 'test/corpus/blind8-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind9 odd', file: 'test/corpus/blind9-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind10 odd', file: 'test/corpus/blind10-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind11 odd', file: 'test/corpus/blind11-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind12 odd', file: 'test/corpus/blind12-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  { name: 'blind13 odd', file: 'test/corpus/blind13-heldout.jsonl', keep: (r) => blindNumber(r) % 2 === 1 },
  // Never trained on, not even by the shipped weights: the fourteenth split stays a measure.
  {
    name: 'blind14 odd',
    file: 'test/corpus/blind14-heldout.jsonl',
    keep: (r) => blindNumber(r) % 2 === 1,
    untrained: true,
  },
];
/** b2-0042 → 42, b11-0042 → 42. */
const blindNumber = (r) => Number(r.id.slice(r.id.indexOf('-') + 1));

const NAMED = namedBuckets([...CUES, ...FEATURE_RULES]);
const OUT = join(root, 'packages/core/src/detectors/injection-model-weights.ts');
const SIZE = 1 << MODEL_BITS;

/**
 * Training settings, chosen by the held-out figures `--eval` prints. `shift`
 * moves the decision boundary towards fewer false positives: 0.25 in logit
 * is a probability of 0.56 before the shift. namedL2 and shift were chosen
 * on the odd half of the second blind split (which no model trains on), so
 * that half's figures are a validation, not a blind, measure; the
 * leave-one-family-out figures are the honest estimate.
 */
const SETTINGS = {
  l2: 3e-3,
  // The named features' L2 is l2 times this: what a text is built of should outweigh which words a corpus used.
  namedL2: 0.01,
  rate: 0.05,
  steps: 250,
  rounds: 3,
  minDocs: 3,
  benign: 1,
  shift: 0.25,
  // How much each record of the fourteenth split's even half weighs in training (0: not read). Chosen on the
  // checks: at 0.5 the seventh's and thirteenth's odd halves gained two false positives each, at 1 the sixth's more.
  b14: 0.25,
};

const args = process.argv.slice(2);
const USAGE =
  'usage: node test/corpus/train-model.mjs [--eval | --checks] [--set NAME=VALUE]... [--dump FILE]';
let dumpFile;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--eval' || args[i] === '--checks' || args[i] === '--no-write') continue;
  if (args[i] === '--dump' && args[i + 1] !== undefined) {
    dumpFile = args[++i];
    continue;
  }
  const [name, value] = args[i] === '--set' ? (args[++i] ?? '').split('=') : [];
  if (name === undefined || !(name in SETTINGS) || !Number.isFinite(Number(value))) {
    console.error(USAGE);
    process.exit(2);
  }
  SETTINGS[name] = Number(value);
}

/**
 * One name per attack or benign family across the corpora, which each name
 * them their own way: leaving a family out must leave out every corpus's
 * texts of it, or its twin in another corpus teaches the model what the
 * held-out one looks like.
 */
const FAMILY_ALIASES = {
  '+': {
    direct_instruction: 'direct',
    direct_order: 'direct',
    context_ignoring: 'ignore_previous',
    fake_completion: 'completion',
    role_play: 'roleplay',
    obfuscation: 'encoded',
    hidden_html: 'hidden',
    tool_call_mimicry: 'after_tool_json',
    tool_call_then_order: 'after_tool_json',
    tool_call_json: 'after_tool_json',
    markdown_exfiltration: 'exfil_markdown',
    polite_request: 'polite',
    payload_split: 'split_payload',
    delayed_trigger: 'conditional_trigger',
    task_list_item: 'task_list',
    payload_in_name: 'payload_in_url',
    injecagent_style: 'injecagent',
    injecagent_field: 'injecagent',
    roleplay_jailbreak: 'roleplay',
    system_marker: 'system_message',
    forged_chat: 'forged_turns',
    md_exfiltration: 'exfil_markdown',
    polite_ai_request: 'polite',
    name_field: 'payload_in_url',
    name_title_field: 'payload_in_url',
    after_toolcall_json: 'after_tool_json',
    forged_chat_turns: 'forged_turns',
    invented_consent_forgery: 'consent_forgery',
    user_phishing_relay: 'invented_phish_relay',
  },
  '-': {
    benign: 'plain',
    plain_benign: 'plain',
    hard_security_article: 'security',
    security_article: 'security',
    hard_code: 'code',
    hard_html: 'html',
    hard_please_send: 'near_miss',
    lookalike: 'near_miss',
    hard_task_list: 'howto',
    imperative_docs: 'howto',
    hard_transcript: 'chat',
    chat_logs: 'chat',
    hard_encoded: 'encoded',
    encoded_benign: 'encoded',
    ai_product: 'ai_discussion',
    support_email: 'email',
    multilingual_benign: 'multilingual',
    logs: 'log',
    reviews: 'review',
    apidoc: 'api_docs',
    meeting: 'meeting_notes',
    how_to: 'howto',
    forum_quote: 'security',
    agent_guard_log: 'log',
    code_prompt_builder: 'code',
    hidden_benign: 'html',
    markup_hidden: 'html',
    code_prompt_tests: 'code',
    data_encoded: 'encoded',
    agent_logs: 'log',
    code_prompts: 'code',
    encoded_harmless: 'encoded',
    hidden_harmless: 'html',
    legal_policy: 'legal',
    support_chat: 'chat',
    odd_names: 'suspicious_names',
    human_imperatives: 'human_imperative',
    invented_fiction_dialogue: 'fiction_dialogue',
    security_quote: 'security',
    redteam_incident_writeup: 'security',
    it_helpdesk: 'it_runbook_ticket',
    business: 'plain',
    plain_business: 'plain',
    twin_field: 'field_benign',
    twin_title_field: 'field_benign',
    twin_split: 'split_benign',
    twin_toolcall_json: 'tool_json',
    twin_chat_turns: 'chat',
  },
};
function canonicalFamily(family, injected) {
  const sign = injected ? '+' : '-';
  const name = family
    .toLowerCase()
    .replace(/-/g, '_')
    .replace(/^benign_/, '');
  return `${FAMILY_ALIASES[sign][name] ?? name}${sign}`;
}

function load(corpora = CORPORA) {
  const docs = [];
  for (const { file, keep, weight } of corpora) {
    const share = weight === undefined ? 1 : SETTINGS[weight];
    if (share === 0) continue;
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    for (const line of lines) {
      if (line.trim() === '') continue;
      const r = JSON.parse(line);
      if (keep && !keep(r)) continue;
      const { model, ruleScore } = injectionEvidence(r.text, 'output');
      docs.push({
        corpus: file.replace(/^test\/corpus\/|\.jsonl$/g, ''),
        id: r.id,
        family: r.family,
        kind: canonicalFamily(r.family, r.injected),
        label: r.injected ? 1 : 0,
        share,
        ruleScore,
        meta: model.meta.strong,
        features: modelFeatures(model),
      });
    }
  }
  return docs;
}

/** Buckets of one window of a text, with the text's own. */
function windowInstance(f, k) {
  const out = new Int32Array(f.doc.length + f.offsets[k + 1] - f.offsets[k]);
  out.set(f.doc);
  out.set(f.buckets.subarray(f.offsets[k], f.offsets[k + 1]), f.doc.length);
  return out;
}

/** All buckets of a text, each once. */
function wholeInstance(f) {
  return Int32Array.from(new Set([...f.doc, ...f.buckets]));
}

/** Full-batch Adam on the weighted log-loss with L2; `allowed` masks the buckets that may be non-zero. */
function fitWeights(instances, allowed, start) {
  const w = start ? Float64Array.from(start.w) : new Float64Array(SIZE);
  let bias = start ? start.bias : 0;
  const m = new Float64Array(SIZE);
  const v = new Float64Array(SIZE);
  let mb = 0;
  let vb = 0;
  const g = new Float64Array(SIZE);
  const l2 = Float64Array.from(
    { length: SIZE },
    (_, i) => SETTINGS.l2 * (NAMED.has(i) ? SETTINGS.namedL2 : 1),
  );
  const total = instances.reduce((s, x) => s + x.weight, 0);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  for (let step = 1; step <= SETTINGS.steps; step++) {
    g.fill(0);
    let gb = 0;
    for (const x of instances) {
      let z = bias;
      for (const b of x.buckets) z += w[b];
      const err = (1 / (1 + Math.exp(-z)) - x.label) * (x.weight / total);
      gb += err;
      for (const b of x.buckets) g[b] += err;
    }
    for (let i = 0; i < SIZE; i++) {
      if (allowed[i] === 0) continue;
      const gi = g[i] + l2[i] * w[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      w[i] -= (SETTINGS.rate * (m[i] / (1 - b1 ** step))) / (Math.sqrt(v[i] / (1 - b2 ** step)) + eps);
    }
    mb = b1 * mb + (1 - b1) * gb;
    vb = b2 * vb + (1 - b2) * gb * gb;
    bias -= (SETTINGS.rate * (mb / (1 - b1 ** step))) / (Math.sqrt(vb / (1 - b2 ** step)) + eps);
  }
  return { w, bias };
}

/**
 * Instances weighted so that injected and benign texts weigh the same in all
 * (benign ones SETTINGS.benign times more). `instancesOf` gives a text's
 * instances with their share of its weight.
 */
function balanced(docs, instancesOf) {
  let pos = 0;
  let neg = 0;
  for (const d of docs) {
    if (d.label === 1) pos += d.share;
    else neg += d.share;
  }
  const all = pos + neg;
  return docs.flatMap((d) => {
    const weight = d.share * (d.label === 1 ? all / (2 * pos) : (SETTINGS.benign * all) / (2 * neg));
    return instancesOf(d).map(([buckets, share]) => ({ buckets, label: d.label, weight: weight * share }));
  });
}

const windowsOf = (f) => f.offsets.length - 1;

/** A benign text: its strongest window (the hard negative) and, lightly, every other. */
function benignInstances(f, strongest) {
  const n = windowsOf(f);
  const out = [[windowInstance(f, strongest), 1]];
  if (n > 1) for (let k = 0; k < n; k++) if (k !== strongest) out.push([windowInstance(f, k), 1 / n]);
  return out;
}

/** Where an injected text's payload is, before any model: the window with most rule and cue hits, else all windows. */
function firstGuess(f) {
  let best = -1;
  let at = 0;
  for (let k = 0; k < windowsOf(f); k++) if (f.hitCounts[k] > best) [best, at] = [f.hitCounts[k], k];
  if (best > 0) return [[windowInstance(f, at), 1]];
  return Array.from({ length: windowsOf(f) }, (_, k) => [windowInstance(f, k), 1 / windowsOf(f)]);
}

function train(docs) {
  const df = new Int32Array(SIZE);
  for (const d of docs) for (const b of wholeInstance(d.features)) df[b]++;
  const allowed = Uint8Array.from(df, (n) => (n >= SETTINGS.minDocs ? 1 : 0));
  let model = fitWeights(
    balanced(docs, (d) => (d.label === 1 ? firstGuess(d.features) : benignInstances(d.features, 0))),
    allowed,
  );
  for (let round = 0; round < SETTINGS.rounds; round++) {
    const strongest = (d) => logitOf(d.features, model.w, model.bias).window;
    const chosen = balanced(docs, (d) =>
      d.label === 1
        ? [[windowInstance(d.features, strongest(d)), 1]]
        : benignInstances(d.features, strongest(d)),
    );
    model = fitWeights(chosen, allowed, model);
  }
  return { w: model.w, bias: model.bias - SETTINGS.shift };
}

const score = (model, d) => 1 / (1 + Math.exp(-logitOf(d.features, model.w, model.bias).logit));

/** Recall and false-positive rate of `predict` on `docs`. */
function rates(docs, predict) {
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  for (const d of docs) {
    const p = predict(d);
    if (d.label === 1) p ? tp++ : fn++;
    else p ? fp++ : tn++;
  }
  return {
    n: docs.length,
    recall: tp + fn ? tp / (tp + fn) : undefined,
    fpr: fp + tn ? fp / (fp + tn) : undefined,
  };
}

const pct = (x) => (x === undefined ? '    – ' : `${(x * 100).toFixed(1).padStart(5)}%`);
const row = (name, r, base) =>
  `${name.padEnd(34)} ${String(r.n).padStart(4)}  recall ${pct(r.recall)} FPR ${pct(r.fpr)}   rules alone: recall ${pct(base.recall)} FPR ${pct(base.fpr)}`;

/** Ways to combine the model's score `p` with the rules' `r`, compared by --eval. */
const COMBINATIONS = {
  'model alone': (p) => p >= 0.5,
  // What detectInjection does (injection.ts): the model can only add to the rules' verdict.
  shipped: (p, d) => Math.max(p, d.ruleScore) >= 0.5,
};

function evaluate(docs) {
  const rulesAlone = (d) => d.ruleScore >= 0.5;
  console.log(
    "\nLeave one family out: every corpus's texts of one family (attack or benign) left out of training, measured",
  );
  const families = [...new Set(docs.map((d) => d.kind))].sort();
  const held = new Map();
  for (const [i, family] of families.entries()) {
    process.stderr.write(`\r${i + 1}/${families.length} ${family}      `);
    const model = train(docs.filter((d) => d.kind !== family));
    for (const d of docs) if (d.kind === family) held.set(d, score(model, d));
  }
  for (const [name, combine] of Object.entries(COMBINATIONS)) {
    console.log(`-- ${name}`);
    const predicted = (d) => combine(held.get(d), d);
    for (const family of families) {
      const part = docs.filter((d) => d.kind === family);
      console.log(row(family, rates(part, predicted), rates(part, rulesAlone)));
    }
    console.log(row(`all, each family held out: ${name}`, rates(docs, predicted), rates(docs, rulesAlone)));
    for (const corpus of new Set(docs.map((d) => d.corpus))) {
      const part = docs.filter((d) => d.corpus === corpus);
      console.log(row(`  of which ${corpus}`, rates(part, predicted), rates(part, rulesAlone)));
    }
  }
}

function write(model) {
  let max = 0;
  for (const x of model.w) max = Math.max(max, Math.abs(x));
  const scale = max / 127 || 1;
  const bytes = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) bytes[i] = Math.round(model.w[i] / scale) & 0xff;
  const weights = Buffer.from(bytes).toString('base64');
  writeFileSync(
    OUT,
    `/** Generated by test/corpus/train-model.mjs (\`npm run train:detector\`) from ${CORPORA.filter(
      (c) => c.weight === undefined || SETTINGS[c.weight] > 0,
    )
      .map((c) =>
        c.weight === undefined ? c.file : `${c.file} (even records, weight ${SETTINGS[c.weight]})`,
      )
      .join(', ')} and the odd-numbered records of blind2 to blind13; do not edit. */
export const MODEL_WEIGHTS: { readonly bias: number; readonly scale: number; readonly weights: string } = {
  bias: ${model.bias.toFixed(6)},
  scale: ${scale.toExponential(6)},
  // 2^${MODEL_BITS} weights, int8, base64.
  weights:
    '${weights}',
};
`,
  );
}

const started = performance.now();
const docs = load();
console.log(`${docs.length} texts read in ${((performance.now() - started) / 1000).toFixed(1)} s`);
// The odd halves, read once: the checks score them, then the shipped model learns from them.
const checked = CHECKS.map((c) => ({ name: c.name, untrained: c.untrained, docs: load([c]) }));
if (args.includes('--eval') || args.includes('--checks')) {
  if (args.includes('--eval')) evaluate(docs);
  const model = train(docs);
  // The halves of the blind splits no model here trained on, scored as detectInjection scores them (before int8).
  for (const { name: split, docs: check } of checked) {
    console.log(`\n${split}: odd-numbered records (never trained on), model trained on everything else`);
    for (const [name, combine] of Object.entries(COMBINATIONS))
      console.log(
        row(
          `${split}: ${name}`,
          rates(check, (d) => combine(score(model, d), d)),
          rates(check, (d) => d.ruleScore >= 0.5),
        ),
      );
  }
  if (dumpFile !== undefined) {
    const lines = checked.flatMap(({ name: split, docs: check }) =>
      check.map((d) => {
        const p = score(model, d);
        return JSON.stringify({
          split,
          id: d.id,
          family: d.family,
          label: d.label,
          model: p,
          rules: d.ruleScore,
        });
      }),
    );
    writeFileSync(dumpFile, `${lines.join('\n')}\n`);
  }
}
if (args.includes('--no-write')) process.exit(0);
// The shipped model learns from the checked halves too, with the settings the checks chose: they
// judge the method, and the detector is better for every text it has seen. A new blind split
// written after it is what measures the shipped model.
const everything = [...docs, ...checked.flatMap((c) => (c.untrained ? [] : c.docs))];
// A corpus given a weight keeps the share of training the checks measured it at, not less because the odd halves
// join: otherwise the check would measure a model that gives it more say than the shipped one does.
for (const d of docs) if (d.share !== 1) d.share *= everything.length / docs.length;
const shipped = train(everything);
const trained = rates(everything, (d) => score(shipped, d) >= 0.5);
console.log(
  `\nshipped model trained on all ${everything.length}: recall ${pct(trained.recall)} FPR ${pct(trained.fpr)} (fit, not a measure)`,
);
write(shipped);
console.log(`weights written to ${OUT}; rebuild (npm run build) to use them`);
