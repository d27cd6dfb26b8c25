import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../../packages/core/src/index.js';
import { detectorCases } from './detector-cases.mjs';
import { changedCases, DIGEST_FILE, digestsOf, type FindingsDigest } from './findings-digest.mjs';

/**
 * The detectors' findings on every record of the corpora, on secrets and PII in disguise, on
 * structured outputs and on adversarial inputs, pinned byte for byte (findings-digest.mjs). A change
 * that is meant to change findings regenerates the file with
 * `npm run build && node test/corpus/findings-digest.mjs --write`; any other change must leave it as is.
 */
describe('detector findings', () => {
  it('are what findings.digest.json pins, case by case', () => {
    const expected = JSON.parse(readFileSync(DIGEST_FILE, 'utf8')) as FindingsDigest;
    const actual = digestsOf(api, detectorCases());
    expect(changedCases(expected, actual)).toEqual([]);
    expect(actual.total).toBe(expected.total);
  }, 120_000);
});
