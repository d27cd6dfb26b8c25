/**
 * nl-draft: what the red-team replay (verification item 4, issue 18) adds to `policy draft`.
 *
 * For each sentence, against examples/quickstart, in this one process:
 *   - draft: `draftFromSentences` — compile, generated tests, verification items 1–3 and 5 (the baseline);
 *   - replay: `redteamDiff` — the shipped suites before and after the sentence's rules, only the
 *     runs the rules touch;
 *   - full: the whole of every suite under its own policy once (what `gatehouse redteam` does),
 *     for scale: the replay runs a subset twice.
 * Each figure is the least of N runs (the machine is shared; the least is the least disturbed),
 * and the replay is printed as a ratio of the draft measured beside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePolicy, draftFromSentences } from '../packages/core/dist/index.js';
import { redteamDiff } from '../packages/server/dist/nl/redteam-diff.js';
import { runRedteam, SUITE_POLICY_DIR, SUITES } from '../packages/server/dist/redteam/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const SENTENCES = [
  'Agents can read but not delete production databases',
  'All external communications require human approval',
  'Financial transactions over $1,000 require dual authorization',
  'The email assistant cannot access financial systems',
  'Never send email to an address that came only from an email',
  'Payments under $100 can go through automatically; anything from $100 up needs sign-off',
];

async function least(n, f) {
  let best = Number.POSITIVE_INFINITY;
  let value;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    value = await f();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, value };
}

export async function run({ quick = false } = {}) {
  const n = quick ? 1 : 3;
  const sources = [
    { name: 'policy.yaml', text: readFileSync(join(root, 'examples/quickstart/policy.yaml'), 'utf8') },
  ];
  const full = await least(quick ? 1 : 2, () =>
    runRedteam(
      SUITES.map((suite) => ({
        suite,
        policy: compilePolicy({
          name: suite.policyFile,
          text: readFileSync(new URL(suite.policyFile, SUITE_POLICY_DIR), 'utf8'),
        }),
        policyName: suite.policyFile,
      })),
    ),
  );
  const rows = [];
  for (const sentence of SENTENCES) {
    const draft = await least(n, () => draftFromSentences([sentence], sources));
    if (!draft.value.ok) throw new Error(`the bench's sentence was refused: ${sentence}`);
    const replay = await least(n, () => redteamDiff({ sentences: [sentence], budgetMs: 60_000 }));
    rows.push({
      sentence,
      draftMs: Math.round(draft.ms),
      replayMs: Math.round(replay.ms),
      ratio: replay.ms / draft.ms,
      suites: replay.value.replayed.map((s) => `${s.suite} ${s.runs}/${s.of}`).join(', ') || 'none',
    });
  }
  console.log(
    `\nnl-draft: the red-team replay beside the draft it verifies (least of ${n}); the whole of every suite once: ${Math.round(full.ms)} ms`,
  );
  console.log('draft ms  replay ms  replay/draft  runs replayed (each twice)      sentence');
  for (const r of rows)
    console.log(
      `${String(r.draftMs).padStart(8)}  ${String(r.replayMs).padStart(9)}  ${r.ratio.toFixed(1).padStart(11)}×  ${r.suites.padEnd(30)}  ${r.sentence}`,
    );
  writeFileSync(
    join(root, 'bench/results/nl-draft.json'),
    `${JSON.stringify({ at: new Date().toISOString(), quick, fullSuitesMs: Math.round(full.ms), rows }, null, 2)}\n`,
  );
  return { ok: true };
}

if (import.meta.url === `file://${process.argv[1]}`) await run({ quick: process.argv.includes('--quick') });
