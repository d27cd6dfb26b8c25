/**
 * `npm run bench`: runs every benchmark in sequence, in this one process.
 *
 *   node bench/run.js            all benches
 *   node bench/run.js pdp        only the named ones
 *   node bench/run.js --quick    far fewer iterations (a smoke test, not a measurement)
 *
 * Each bench is a module `bench/<name>.js` exporting `run({ quick })`, which
 * prints its own table, writes `bench/results/<name>.json` and resolves to
 * `{ ok }`. Exit code: 0 ok, 1 a bench failed (e.g. engines disagreed), 2 usage error.
 */

/** Benches in the order they run; add a name here when adding `bench/<name>.js`. */
const BENCHES = ['pdp', 'tokens', 'decisions', 'audit', 'gateway', 'console', 'nl-draft'];

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const names = args.filter((a) => !a.startsWith('--'));
const unknownFlags = flags.filter((f) => f !== '--quick');
const unknownNames = names.filter((n) => !BENCHES.includes(n));
if (unknownFlags.length > 0 || unknownNames.length > 0) {
  console.error(`unknown ${[...unknownFlags, ...unknownNames].join(', ')}`);
  console.error(`usage: node bench/run.js [--quick] [${BENCHES.join('|')} ...]`);
  process.exit(2);
}

const quick = flags.includes('--quick');
for (const name of names.length > 0 ? names : BENCHES) {
  const bench = await import(`./${name}.js`);
  const { ok } = await bench.run({ quick });
  if (!ok) {
    console.error(`\nbench '${name}' failed`);
    process.exitCode = 1;
  }
}
