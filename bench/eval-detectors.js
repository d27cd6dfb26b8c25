/**
 * `npm run eval:detectors`: measures the detectors on the labelled corpus
 * (test/corpus/injection.jsonl, and ../shared/corpus/*.jsonl when present).
 *
 *   node bench/eval-detectors.js            tables, exit 1 when a target is missed
 *   node bench/eval-detectors.js --json     the same figures as JSON
 *   node bench/eval-detectors.js --no-perf  skip the throughput figures (quicker)
 *   node bench/eval-detectors.js --corpus FILE [--corpus FILE …]
 *                                           also measure these JSONL corpora (same record
 *                                           format as test/corpus/injection.jsonl), each
 *                                           reported on its own and held to the same targets
 *
 * Targets (issues 8 and 13): injection recall ≥ 95 % at a false-positive rate ≤ 2 %,
 * on the dev and on the held-out split; secret and PII precision ≥ 95 % on the
 * benign set. Throughput (≤ 1 ms per 10 KB, ≤ 50 ms per MiB: median CPU time of
 * repeated runs, beside a 100-phrase RegExp timed in alternating rounds of the
 * same run) is printed with PASS or FAIL and checked as a warning, since it
 * depends on the machine; the adversarial inputs are held to 50 ms per MiB.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { injectionEvidence } from '../packages/core/dist/detectors/injection.js';
import { modelVerdict } from '../packages/core/dist/detectors/injection-model-verdict.js';
import { scanText } from '../packages/core/dist/index.js';
import { adversarialInputs } from '../test/corpus/detector-cases.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const USAGE = 'usage: node bench/eval-detectors.js [--json] [--no-perf] [--corpus FILE]...';
/** Extra corpora named on the command line, in order. */
const extraCorpora = [];
const unknown = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--corpus') {
    const file = args[++i];
    if (file === undefined || file.startsWith('--')) unknown.push('--corpus without a FILE');
    else extraCorpora.push(resolve(file));
  } else if (args[i].startsWith('--corpus=')) extraCorpora.push(resolve(args[i].slice('--corpus='.length)));
  else if (!['--json', '--no-perf'].includes(args[i])) unknown.push(args[i]);
}
if (unknown.length > 0) {
  console.error(`unknown ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const asJson = args.includes('--json');

export const TARGETS = { recall: 0.95, fpr: 0.02, dlpPrecision: 0.95, msPer10k: 1, msPerMb: 50 };
/** The learned injection model's share of those budgets (issue 13): what it adds to a scan. */
export const MODEL_TARGETS = { msPer10k: 0.4, msPerMb: 20 };

function readJsonl(path) {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
}

/** Confusion counts → the figures the tables print. */
function figures(c) {
  const recall = c.tp + c.fn === 0 ? undefined : c.tp / (c.tp + c.fn);
  const fpr = c.fp + c.tn === 0 ? undefined : c.fp / (c.fp + c.tn);
  const precision = c.tp + c.fp === 0 ? undefined : c.tp / (c.tp + c.fp);
  const f1 =
    recall === undefined || precision === undefined || recall + precision === 0
      ? undefined
      : (2 * recall * precision) / (recall + precision);
  return { n: c.tp + c.fn + c.fp + c.tn, ...c, recall, fpr, precision, f1 };
}

function tally(rows, keyOf) {
  const groups = new Map();
  for (const row of rows) {
    const key = keyOf(row);
    const c = groups.get(key) ?? { tp: 0, fn: 0, fp: 0, tn: 0 };
    if (row.actual && row.predicted) c.tp++;
    else if (row.actual) c.fn++;
    else if (row.predicted) c.fp++;
    else c.tn++;
    groups.set(key, c);
  }
  return [...groups]
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([key, c]) => ({ key, ...figures(c) }));
}

/** Injection verdicts and DLP verdicts for every record. */
function evaluate(records) {
  const injection = [];
  const secret = [];
  const pii = [];
  for (const r of records) {
    const result = scanText(r.text, { kind: 'output' });
    injection.push({
      ...r,
      actual: r.injected === true,
      predicted: result.labels.includes('injection_suspected'),
    });
    if (r.expect && !r.injected) {
      secret.push({ ...r, actual: r.expect.secret, predicted: result.labels.includes('secret') });
      pii.push({ ...r, actual: r.expect.pii, predicted: result.labels.includes('pii') });
    }
  }
  return {
    overall: tally(injection, (r) => r.split ?? 'all'),
    all: tally(injection, () => 'all')[0],
    families: tally(injection, (r) => r.family),
    languages: tally(injection, (r) => r.lang ?? '?'),
    kinds: tally(injection, (r) => r.kind ?? '?'),
    secret: secret.length ? tally(secret, () => 'secret')[0] : undefined,
    pii: pii.length ? tally(pii, () => 'pii')[0] : undefined,
    misses: injection
      .filter((r) => r.actual !== r.predicted)
      .map((r) => ({ id: r.id, family: r.family, injected: r.injected })),
  };
}

/** Milliseconds of CPU this thread has used: steadier than wall time on a shared machine. */
function cpuMs() {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

const median = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
};

/**
 * Calls per sample: enough for a sample of about 100 ms. A thread's CPU time advances here in lumps of up to
 * about 4 ms, the scheduler's tick (samples of 2 ms of work read anything from 0 to 5 ms), so a 20 ms sample
 * was off by up to a fifth, and the median of such samples moved by as much from run to run.
 */
function repeatsFor(fn) {
  const t = performance.now();
  fn();
  const once = Math.max(performance.now() - t, 0.001);
  return Math.min(Math.max(Math.ceil(100 / once), 1), 50_000);
}

/** Median CPU milliseconds per call of `fn` alone, over repeated samples (at least `minRuns`, for at least `minMs`) after a warm-up. */
export function timeIt(fn, minMs = 200, minRuns = 7) {
  // Warmed up for as long as it is timed, as timePair does.
  const warm = performance.now();
  while (performance.now() - warm < minMs) fn();
  const repeats = repeatsFor(fn);
  const samples = [];
  const start = performance.now();
  while (performance.now() - start < minMs || samples.length < minRuns) {
    const c = cpuMs();
    for (let i = 0; i < repeats; i++) fn();
    samples.push((cpuMs() - c) / repeats);
  }
  return median(samples);
}

/**
 * Median CPU and wall milliseconds per call of `fn` and of `baseline`, timed in alternating rounds (at least
 * `minRuns` samples each, for at least `minMs`) after a warm-up as long, so that both see the same load and
 * are timed in steady state.
 */
function timePair(fn, baseline, minMs = 200, minRuns = 7) {
  // The JIT keeps optimising a scan's functions for hundreds of calls on one input (here a 10 KB scan took
  // 2.5–3.5 ms for its first 500 calls after the corpus, then 1.6–2; a MiB, 10–15 calls to settle), so a median
  // over the first second was mostly warm-up: both alternate for as long as they are then timed, and the
  // samples are sized on a warm call.
  const warm = performance.now();
  while (performance.now() - warm < minMs) {
    fn();
    baseline();
  }
  const timed = [
    { run: fn, repeats: repeatsFor(fn), cpu: [], wall: [] },
    { run: baseline, repeats: repeatsFor(baseline), cpu: [], wall: [] },
  ];
  const start = performance.now();
  while (performance.now() - start < minMs || timed[0].cpu.length < minRuns) {
    for (const t of timed) {
      const c = cpuMs();
      const w = performance.now();
      for (let i = 0; i < t.repeats; i++) t.run();
      t.wall.push((performance.now() - w) / t.repeats);
      t.cpu.push((cpuMs() - c) / t.repeats);
    }
  }
  const [detectors, base] = timed;
  return {
    ms: median(detectors.cpu),
    wallMs: median(detectors.wall),
    baselineMs: median(base.cpu),
    baselineWallMs: median(base.wall),
    runs: detectors.cpu.length,
  };
}

/**
 * The baseline measured beside the detectors in the same run: one
 * case-insensitive RegExp alternating 100 injection phrases, the keyword
 * filter a detector is usually compared with. It reads the text once and
 * finds nothing that is not spelled as listed.
 */
const BASELINE = (() => {
  const verbs = [
    'ignore',
    'disregard',
    'forget',
    'override',
    'bypass',
    'skip',
    'drop',
    'abandon',
    'neglect',
    'discard',
  ];
  const objects = [
    'previous instructions',
    'all previous instructions',
    'prior instructions',
    'the above',
    'your instructions',
    'the system prompt',
    'earlier rules',
    'your guidelines',
    'all prior directions',
    'the previous context',
  ];
  const phrases = verbs.flatMap((v) => objects.map((o) => `${v} ${o}`));
  return new RegExp(`\\b(?:${phrases.join('|')})\\b`, 'gi');
})();

function baselineScan(text) {
  BASELINE.lastIndex = 0;
  let n = 0;
  while (BASELINE.exec(text) !== null) n++;
  return n;
}

/** 10 KB and 1 MiB of the records' texts, joined by line breaks. */
function inputsOf(records) {
  let text = '';
  for (const r of records) {
    if (text.length >= 10_240) break;
    text += `${r.text}\n`;
  }
  let mb = '';
  while (mb.length < 1_048_576) mb += `${records[mb.length % records.length].text}\n`;
  return { tenK: text.slice(0, 10_240), mb: mb.slice(0, 1_048_576) };
}

function throughput(records) {
  const { tenK, mb } = inputsOf(records);
  // The corpus is half attacks (76 findings in its first 10 KB), and a scan's cost grows with what it finds; most
  // tool outputs hold none. Its benign records (pages, mail, tickets, logs, hard negatives) are timed too, beside.
  const benign = inputsOf(records.filter((r) => r.injected === false));
  const row = (input, text, targetMs, minMs) => ({
    input,
    targetMs,
    ...timePair(
      () => scanText(text),
      () => baselineScan(text),
      minMs,
    ),
  });
  const rows = [
    row('10 KB of corpus text', tenK, TARGETS.msPer10k, 1000),
    row('1 MiB of corpus text', mb, TARGETS.msPerMb, 3000),
    row('10 KB of benign corpus records', benign.tenK, TARGETS.msPer10k, 1000),
    row('1 MiB of benign corpus records', benign.mb, TARGETS.msPerMb, 3000),
  ];
  // The same inputs the findings digest pins (test/corpus/detector-cases.mjs): each must stay linear.
  for (const [name, input] of Object.entries(adversarialInputs()))
    rows.push(row(`${name} (${(input.length / 1024).toFixed(0)} KB)`, input, TARGETS.msPerMb, 300));
  return rows.map((r) => ({ ...r, pass: r.ms <= r.targetMs }));
}

/**
 * The learned model alone (injection-model.ts), on evidence the rules found
 * beforehand: what it adds to a scan. Beside the same 100-phrase RegExp.
 */
function modelThroughput(records) {
  const { tenK, mb } = inputsOf(records);
  const inputs = [
    ['10 KB of corpus text', tenK, MODEL_TARGETS.msPer10k, 300],
    ['1 MB of corpus text', mb, MODEL_TARGETS.msPerMb, 1000],
    // One token per two characters: the most windows a megabyte can make.
    ['1 MB of one-letter words', 'a '.repeat(524_288), MODEL_TARGETS.msPerMb, 300],
    ['1 MB of punctuation', '{"a":1},'.repeat(131_072), MODEL_TARGETS.msPerMb, 300],
  ];
  return inputs.map(([input, text, targetMs, minMs]) => {
    const { model } = injectionEvidence(text, 'output');
    return {
      input: `${input} (${(text.length / 1024).toFixed(0)} KB)`,
      ms: timeIt(() => modelVerdict(model), minMs),
      baselineMs: timeIt(() => baselineScan(text), minMs),
      targetMs,
    };
  });
}

const pct = (x) => (x === undefined ? '   –  ' : `${(x * 100).toFixed(1).padStart(5)}%`);

function table(title, rows, columns) {
  const lines = [`\n${title}`];
  const head = columns.map(([name, , width]) => name.padEnd(width)).join(' ');
  lines.push(head, '-'.repeat(head.length));
  for (const row of rows)
    lines.push(columns.map(([, get, width]) => String(get(row)).padEnd(width)).join(' '));
  return lines.join('\n');
}

const confusion = [
  ['', (r) => r.key, 24],
  ['n', (r) => r.n, 5],
  ['recall', (r) => pct(r.recall), 7],
  ['FPR', (r) => pct(r.fpr), 7],
  ['precision', (r) => pct(r.precision), 9],
  ['F1', (r) => pct(r.f1), 7],
];

const corpusPath = join(root, 'test/corpus/injection.jsonl');
const corpora = [{ name: 'gatehouse corpus (test/corpus)', records: readJsonl(corpusPath) }];
const shared = resolve(root, '../shared/corpus');
if (existsSync(shared)) {
  const records = readdirSync(shared)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readJsonl(join(shared, f)))
    .filter((r) => typeof r.text === 'string' && typeof r.injected === 'boolean');
  if (records.length > 0) corpora.push({ name: `shared corpus (${shared})`, records });
}
for (const path of extraCorpora) {
  if (!existsSync(path)) {
    console.error(`no corpus at ${path}\n${USAGE}`);
    process.exit(2);
  }
  // Strict, unlike the optional shared corpus: a line that is not a record would silently shrink the measurement.
  const lines = readFileSync(path, 'utf8').split('\n');
  const records = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      r = undefined;
    }
    if (typeof r?.text !== 'string' || typeof r?.injected !== 'boolean') {
      console.error(`${path}:${i + 1}: not a record {id, text, injected, family, kind, lang}`);
      process.exit(2);
    }
    records.push(r);
  }
  corpora.push({ name: `corpus ${relative(root, path) || path}`, records, held: true });
}

const report = { targets: TARGETS, corpora: [] };
const failures = [];
const warnings = [];
for (const { name, records, held } of corpora) {
  const started = performance.now();
  const result = evaluate(records);
  const ms = performance.now() - started;
  report.corpora.push({ name, records: records.length, ms, ...result });
  const own = name.startsWith('gatehouse');
  // Our corpus and every corpus named on the command line are held to the targets, per split when it has splits.
  const checked = own || held ? [result.all, ...result.overall.filter((r) => r.key !== 'all')] : [result.all];
  for (const row of own ? result.overall : checked) {
    if ((row.recall ?? 1) < TARGETS.recall)
      failures.push(`${name} ${row.key}: recall ${pct(row.recall)} < ${pct(TARGETS.recall)}`);
    if ((row.fpr ?? 0) > TARGETS.fpr)
      failures.push(`${name} ${row.key}: false-positive rate ${pct(row.fpr)} > ${pct(TARGETS.fpr)}`);
  }
  for (const dlp of [result.secret, result.pii]) {
    if (own && dlp && (dlp.precision ?? 1) < TARGETS.dlpPrecision)
      failures.push(`${name} ${dlp.key}: precision ${pct(dlp.precision)} < ${pct(TARGETS.dlpPrecision)}`);
  }
  if (!asJson) {
    console.log(`\n=== ${name}: ${records.length} records, scanned in ${ms.toFixed(0)} ms`);
    console.log(table('Injection, by split', result.overall, confusion));
    console.log(
      table(
        'Injection, by family (recall for attack families, FPR for benign ones)',
        result.families,
        confusion,
      ),
    );
    console.log(table('Injection, by language', result.languages, confusion));
    console.log(table('Injection, by carrier', result.kinds, confusion));
    if (result.secret || result.pii)
      console.log(
        table(
          'Secrets and PII, on the benign records (label present vs. planted)',
          [result.secret, result.pii].filter(Boolean),
          confusion,
        ),
      );
  }
}

if (!args.includes('--no-perf')) {
  const rows = throughput(corpora[0].records);
  report.throughput = rows;
  for (const row of rows)
    if (!row.pass)
      warnings.push(
        `throughput: ${row.input} took ${row.ms.toFixed(2)} ms of CPU (target ${row.targetMs} ms)`,
      );
  if (!asJson) {
    console.log(
      table(
        'Throughput: median CPU ms per scan (scanText, all detectors) beside a 100-phrase RegExp, same run, alternating',
        rows,
        [
          ['input', (r) => r.input, 44],
          ['ms', (r) => r.ms.toFixed(2), 8],
          ['wall ms', (r) => r.wallMs.toFixed(2), 8],
          ['baseline', (r) => r.baselineMs.toFixed(3), 9],
          ['× base', (r) => (r.ms / Math.max(r.baselineMs, 0.0001)).toFixed(0), 7],
          ['target', (r) => `≤ ${r.targetMs}`, 7],
          ['', (r) => (r.pass ? 'PASS' : 'FAIL'), 4],
        ],
      ),
    );
    const [tenK, mib, benignTenK, benignMib] = rows;
    console.log(
      `\ndetector speed: ${tenK.ms.toFixed(2)} ms per 10 KB (target ≤ ${TARGETS.msPer10k}: ${tenK.pass ? 'PASS' : 'FAIL'}), ` +
        `${mib.ms.toFixed(1)} ms per MiB (target ≤ ${TARGETS.msPerMb}: ${mib.pass ? 'PASS' : 'FAIL'}); ` +
        `baseline in the same run ${tenK.baselineMs.toFixed(3)} ms and ${mib.baselineMs.toFixed(2)} ms; ` +
        `benign records alone ${benignTenK.ms.toFixed(2)} ms per 10 KB and ${benignMib.ms.toFixed(1)} ms per MiB`,
    );
  }
}

if (!args.includes('--no-perf')) {
  const rows = modelThroughput(corpora[0].records);
  report.modelThroughput = rows;
  for (const row of rows)
    if (row.ms > row.targetMs)
      warnings.push(`learned model: ${row.input} took ${row.ms.toFixed(2)} ms (target ${row.targetMs} ms)`);
  if (!asJson)
    console.log(
      table('Learned injection model alone: median ms per text beside a 100-phrase RegExp', rows, [
        ['input', (r) => r.input, 44],
        ['ms', (r) => r.ms.toFixed(2), 9],
        ['baseline', (r) => r.baselineMs.toFixed(2), 9],
        ['target', (r) => `< ${r.targetMs}`, 8],
      ]),
    );
}

report.failures = failures;
report.warnings = warnings;
if (asJson) console.log(JSON.stringify(report, null, 2));
else {
  for (const w of warnings) console.log(`warning: ${w}`);
  console.log(
    failures.length > 0
      ? `\n${failures.map((f) => `FAILED ${f}`).join('\n')}`
      : warnings.length > 0
        ? '\ndetection targets met; throughput targets missed (warnings above; timing on a shared machine is not a test)'
        : '\nall targets met',
  );
}
process.exitCode = failures.length === 0 ? 0 : 1;
