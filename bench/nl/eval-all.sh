#!/bin/bash
# Every plain-English evaluation set, one line each: exact decisions, wrong rules, refusals of the
# sentences to refuse, median compile time. Needs a build (npm run build). Usage: bench/nl/eval-all.sh
set -u
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() { # name, then eval-nl.js arguments
  local name=$1
  shift
  node bench/eval-nl.js "$@" >"$out/$name.txt" 2>&1
  node -e '
const t = require("fs").readFileSync(process.argv[1], "utf8");
const m = t.match(/(\d+) sentences \((\d+) to compile, (\d+) to refuse\)/);
if (!m) { console.log(`${process.argv[2]}: no figures (${t.split("\n")[0]})`); process.exit(0); }
const [, , comp, ref] = m;
const acc = +t.match(/exact-decision accuracy: ([\d.]+)%/)[1];
const rr = +t.match(/refusal rate on out-of-grammar sentences: ([\d.]+)%/)[1];
const wrong = t.match(/wrong rules: (\d+)/)[1];
const med = t.match(/median ([\d.]+) ms/)[1];
console.log(`${process.argv[2].padEnd(8)} exact ${acc.toFixed(1).padStart(5)}% (${Math.round((acc * comp) / 100)}/${comp})  wrong ${wrong}  refusals ${Math.round((rr * ref) / 100)}/${ref}  median ${med} ms`);
' "$out/$name.txt" "$name"
}
run main
run blind --file bench/nl/blind-heldout.jsonl
for n in 2 3 4 5 6 7; do run "blind$n" --file "bench/nl/blind$n-heldout.jsonl" --policy bench/nl/blind2-policy.yaml; done
for n in 8 9 10 11 12 13 14 15 16 17; do run "blind$n" --file "bench/nl/blind$n-heldout.jsonl" --policy bench/nl/blind8-policy.yaml; done
for f in bench/nl/own-heldout*.yaml; do
  b=$(basename "$f" .yaml)
  b=${b#own-heldout}
  run "own${b:-1}" --set "$f"
done
