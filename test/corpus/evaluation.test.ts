import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface Row {
  key: string;
  n: number;
  recall?: number;
  fpr?: number;
  precision?: number;
}

describe('detector evaluation on the labelled corpus', () => {
  it('holds at least 600 injected and 600 benign records in six languages', () => {
    const records = readFileSync(join(root, 'test/corpus/injection.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { injected: boolean; lang: string; family: string });
    expect(records.filter((r) => r.injected).length).toBeGreaterThanOrEqual(600);
    expect(records.filter((r) => !r.injected).length).toBeGreaterThanOrEqual(600);
    expect(new Set(records.map((r) => r.lang))).toEqual(new Set(['en', 'de', 'fr', 'es', 'zh', 'ja']));
  });

  it('holds an outside dev set of at least 150 injected and 150 benign records, 50 of them security articles', () => {
    const records = readFileSync(join(root, 'test/corpus/outside-dev.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { injected: boolean; family: string });
    expect(records.filter((r) => r.injected).length).toBeGreaterThanOrEqual(150);
    expect(records.filter((r) => !r.injected).length).toBeGreaterThanOrEqual(150);
    expect(records.filter((r) => r.family === 'security_article').length).toBeGreaterThanOrEqual(50);
  });

  it('meets the recall, false-positive and DLP precision targets on both splits and on the outside dev set', () => {
    // The evaluation script over the built package: the same figures `npm run eval:detectors` prints.
    const out = execFileSync(
      process.execPath,
      [
        join(root, 'bench/eval-detectors.js'),
        '--json',
        '--no-perf',
        '--corpus',
        join(root, 'test/corpus/outside-dev.jsonl'),
      ],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const report = JSON.parse(out) as {
      failures: string[];
      corpora: { name: string; all: Row; overall: Row[]; families: Row[]; secret: Row; pii: Row }[];
    };
    expect(report.failures).toEqual([]);
    const own = report.corpora[0]!;
    for (const split of own.overall) {
      expect(split.recall, split.key).toBeGreaterThanOrEqual(0.95);
      expect(split.fpr, split.key).toBeLessThanOrEqual(0.02);
    }
    const outside = report.corpora.find((c) => c.name.includes('outside-dev'))!;
    expect(outside.all.recall).toBeGreaterThanOrEqual(0.95);
    expect(outside.all.fpr).toBeLessThanOrEqual(0.02);
    const articles = outside.families.find((f) => f.key === 'security_article')!;
    expect(articles.fpr).toBeLessThanOrEqual(0.02);
    expect(own.secret.precision).toBeGreaterThanOrEqual(0.95);
    expect(own.pii.precision).toBeGreaterThanOrEqual(0.95);
  }, 60_000);
});
