import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  DEFAULT_SCAN_OPTIONS,
  DETECTOR_LABELS,
  type ScanKind,
  type ScanResult,
  scanText,
} from '@gatehouse/core';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';

const KINDS: readonly ScanKind[] = ['output', 'args', 'tool-description'];

/** The labels a scan can set: `--fail-on` accepts only these, so a typo cannot pass every input. */
export const SCAN_LABELS: readonly string[] = [
  DETECTOR_LABELS.injection,
  DETECTOR_LABELS.secret,
  DETECTOR_LABELS.pii,
  DETECTOR_LABELS.oversize,
];

/** Options of `gatehouse scan`. */
export interface ScanCommandOptions {
  json?: boolean;
  kind?: string;
  /** A comma list of labels (not variadic: a variadic option would swallow the file argument). */
  failOn?: string;
  threshold?: string;
}

/**
 * `gatehouse scan [FILE|-]`: runs the detectors over a file or standard
 * input and prints labels, score and findings. Exit 0, or 1 when a label
 * named by `--fail-on` was found (for CI pipelines and red-teamers).
 */
export async function scan(
  io: CliIo,
  file: string | undefined,
  opts: ScanCommandOptions,
  stdin: () => Promise<Buffer> = () => readStdin(io),
): Promise<number> {
  const kind = (opts.kind ?? 'output') as ScanKind;
  if (!KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
  let threshold: number = DEFAULT_SCAN_OPTIONS.threshold;
  if (opts.threshold !== undefined) {
    threshold = Number(opts.threshold);
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1)
      throw new UsageError('--threshold must be a number between 0 and 1');
  }
  const failOn = parseFailOn(opts.failOn);
  const fromStdin = file === undefined || file === '-';
  // A security gate that reads nothing must not pass: a terminal or an absent standard input is
  // a usage mistake (a forgotten file name), not an empty document.
  if (fromStdin && (io.stdin === undefined || io.stdin.isTTY === true))
    throw new UsageError('give a file to scan, or pipe the text to standard input');
  let bytes: Buffer;
  try {
    bytes = fromStdin ? await stdin() : await readFile(resolve(io.cwd, file));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (fromStdin && bytes.length === 0)
    throw new UsageError('standard input was empty: there is nothing to scan');
  // Invalid UTF-8 becomes U+FFFD: binary input is scanned for what text it holds, never rejected.
  const text = bytes.toString('utf8');
  const result = scanText(text, { kind, threshold });
  const hit = failOn.filter((l) => result.labels.includes(l));
  if (opts.json) printJson(io, { kind, ...result, failedOn: hit });
  else printHuman(io, result, text);
  return hit.length > 0 ? EXIT.failed : EXIT.ok;
}

function printHuman(io: CliIo, result: ScanResult, text: string): void {
  io.stdout(`labels: ${result.labels.length > 0 ? result.labels.join(', ') : '(none)'}\n`);
  io.stdout(`injection score: ${result.score.toFixed(3)}\n`);
  if (result.truncated) io.stdout(`scanned the first ${result.scannedChars} characters only (oversize)\n`);
  for (const f of result.findings) {
    const { line, column } = lineAndColumn(text, f.start);
    const weight = f.weight !== undefined ? ` +${f.weight}` : '';
    io.stdout(
      `  ${line}:${column} ${f.detector}/${f.kind}${weight} — ${f.reason}${f.preview ? `: ${f.preview}` : ''}\n`,
    );
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

function parseFailOn(value: string | undefined): string[] {
  if (value === undefined) return [];
  const labels = value
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (labels.length === 0) throw new UsageError(`--fail-on needs labels: ${SCAN_LABELS.join(', ')}`);
  const unknown = labels.filter((l) => !SCAN_LABELS.includes(l));
  if (unknown.length > 0)
    throw new UsageError(
      `--fail-on: unknown label ${unknown.map((l) => `'${l}'`).join(', ')}; a scan sets ${SCAN_LABELS.join(', ')}`,
    );
  return labels;
}

/** Standard input, up to 64 MiB (the detectors scan the first 1 MiB; the rest marks the input oversize). */
async function readStdin(io: CliIo): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin ?? []) {
    const b = Buffer.from(chunk);
    size += b.length;
    if (size > 64 * 1024 * 1024) break;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
