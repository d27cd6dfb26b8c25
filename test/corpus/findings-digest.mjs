/**
 * Pins what the detectors find, byte for byte, so that work on their speed (or anything else that
 * should not change a verdict) is checked against every record of the corpora:
 *
 *   npm run build && node test/corpus/findings-digest.mjs --write   regenerate findings.digest.json
 *   node test/corpus/findings-digest.mjs                            compare the build with it (exit 1 on a change)
 *   node test/corpus/findings-digest.mjs --adversarial-size 1048576 --dump FILE
 *                                                                   write every case's full result to FILE
 *
 * Regenerate after a change that is meant to change findings (a new rule, a new weight), and say so in
 * the commit. findings-digest.test.ts runs the same comparison over the sources in `npm test`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectorCases } from './detector-cases.mjs';

const here = dirname(fileURLToPath(import.meta.url));
/** Where the digests are kept. */
export const DIGEST_FILE = join(here, 'findings.digest.json');

/** Everything a case's scan yields that a caller can see: the full result with every finding, and its redaction. */
export function caseResult(api, c) {
  const options = { maxFindings: Number.MAX_SAFE_INTEGER };
  if (c.value !== undefined) {
    return {
      scan: api.inspectOutput(c.value, options),
      ...(c.redact && { redacted: api.redactValue(c.value, ['secret', 'pii']) }),
    };
  }
  return {
    scan: api.scanText(c.text, { ...options, kind: c.kind }),
    ...(c.redact && { redacted: api.redactText(c.text, ['secret', 'pii']) }),
  };
}

const sha = (s) => createHash('sha256').update(s).digest('hex');

/** Per case a short hash of its result, and one hash over all of them. */
export function digestsOf(api, cases) {
  const perCase = {};
  const all = createHash('sha256');
  for (const c of cases) {
    const json = JSON.stringify(caseResult(api, c));
    perCase[c.id] = sha(json).slice(0, 10);
    all.update(`${c.id}\u0000${json}\u0000`);
  }
  return { total: all.digest('hex'), cases: perCase };
}

/** The ids whose hash differs, is missing or is new, between two digests. */
export function changedCases(expected, actual) {
  const ids = new Set([...Object.keys(expected.cases), ...Object.keys(actual.cases)]);
  return [...ids].filter((id) => expected.cases[id] !== actual.cases[id]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const sizeAt = args.indexOf('--adversarial-size');
  const adversarialSize = sizeAt >= 0 ? Number(args[sizeAt + 1]) : undefined;
  const api = await import('../../packages/core/dist/index.js');
  const cases = detectorCases(adversarialSize ? { adversarialSize } : {});
  const dumpAt = args.indexOf('--dump');
  if (dumpAt >= 0) {
    const lines = cases.map((c) => JSON.stringify({ id: c.id, ...caseResult(api, c) }));
    writeFileSync(args[dumpAt + 1], `${lines.join('\n')}\n`);
    console.log(`${cases.length} results written to ${args[dumpAt + 1]}`);
    process.exit(0);
  }
  const actual = digestsOf(api, cases);
  if (args.includes('--write')) {
    writeFileSync(DIGEST_FILE, `${JSON.stringify(actual, null, 2)}\n`);
    console.log(`${cases.length} cases, digest ${actual.total.slice(0, 16)}, written to ${DIGEST_FILE}`);
  } else {
    const expected = JSON.parse(readFileSync(DIGEST_FILE, 'utf8'));
    const changed = changedCases(expected, actual);
    console.log(
      changed.length === 0 && expected.total === actual.total
        ? `${cases.length} cases: findings unchanged`
        : `${changed.length} of ${cases.length} cases changed: ${changed.slice(0, 20).join(', ')}`,
    );
    process.exitCode = changed.length === 0 && expected.total === actual.total ? 0 : 1;
  }
}
