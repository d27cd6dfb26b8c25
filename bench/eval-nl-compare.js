/**
 * Compile time of the sentence compiler against another build of it, in one run: the two are
 * timed alternately, sentence by sentence (least of 5 runs each), so the shared machine's noise
 * falls on both and the ratio holds.
 *
 *   node bench/eval-nl-compare.js --before DIR [--set F.yaml]
 *
 * DIR is a built `packages/core` of another commit, for example:
 *   mkdir -p /tmp/old && git archive <commit> packages/core tsconfig.base.json | tar -x -C /tmp/old
 *   ln -s "$PWD/node_modules" /tmp/old/node_modules && npx tsc -p /tmp/old/packages/core
 *   node bench/eval-nl-compare.js --before /tmp/old/packages/core
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const beforeDir = option('--before');
if (!beforeDir) {
  console.error('usage: node bench/eval-nl-compare.js --before DIR [--set F.yaml]');
  process.exit(2);
}
const libs = {
  before: await import(pathToFileURL(resolve(beforeDir, 'dist/index.js')).href),
  after: await import(pathToFileURL(resolve(root, 'packages/core/dist/index.js')).href),
};
const policyText = readFileSync(resolve(root, 'bench/nl/policy.yaml'), 'utf8');
const set = parse(readFileSync(resolve(option('--set') ?? resolve(root, 'bench/nl/eval-set.yaml')), 'utf8'));
const sentences = [...set.intents.flatMap((i) => i.phrasings), ...(set.refuse ?? [])];

const vocabulary = {};
const times = { before: [], after: [] };
// A first pass each pays for compiling the grammar's patterns, which is not the per-sentence cost.
for (const [name, lib] of Object.entries(libs)) {
  vocabulary[name] = lib.vocabularyOf(lib.compilePolicy({ name: 'policy.yaml', text: policyText }));
  for (const s of sentences) lib.compileSentence(s, vocabulary[name]);
}
for (const s of sentences)
  for (const [name, lib] of Object.entries(libs)) {
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 5; run++) {
      const t0 = performance.now();
      lib.compileSentence(s, vocabulary[name]);
      best = Math.min(best, performance.now() - t0);
    }
    times[name].push(best);
  }
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
for (const name of ['before', 'after'])
  console.log(
    `${name.padEnd(6)}  median ${quantile(times[name], 0.5).toFixed(2)} ms, p95 ${quantile(times[name], 0.95).toFixed(2)} ms, max ${Math.max(...times[name]).toFixed(2)} ms (${sentences.length} sentences)`,
  );
console.log(
  `after / before: median ${(quantile(times.after, 0.5) / quantile(times.before, 0.5)).toFixed(2)}, p95 ${(quantile(times.after, 0.95) / quantile(times.before, 0.95)).toFixed(2)}`,
);
