import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_SCAN_OPTIONS, type ScanKind, type ScanResult, scanText } from '@gatehouse/core';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';

const KINDS: readonly ScanKind[] = ['output', 'args', 'tool-description'];

/** Options of `gatehouse scan`. */
export interface ScanCommandOptions {
  json?: boolean;
  kind?: string;
  failOn?: string[];
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
  stdin: () => Promise<Buffer> = readStdin,
): Promise<number> {
  const kind = (opts.kind ?? 'output') as ScanKind;
  if (!KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
  let threshold: number = DEFAULT_SCAN_OPTIONS.threshold;
  if (opts.threshold !== undefined) {
    threshold = Number(opts.threshold);
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1)
      throw new UsageError('--threshold must be a number between 0 and 1');
  }
  let bytes: Buffer;
  try {
    bytes = file === undefined || file === '-' ? await stdin() : await readFile(resolve(io.cwd, file));
  } catch (err) {
    throw new UsageError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  // Invalid UTF-8 becomes U+FFFD: binary input is scanned for what text it holds, never rejected.
  const text = bytes.toString('utf8');
  const result = scanText(text, { kind, threshold });
  const failOn = (opts.failOn ?? []).flatMap((l) => l.split(',')).filter((l) => l !== '');
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

/** Standard input, up to 64 MiB (the detectors scan the first 1 MiB; the rest marks the input oversize). */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > 64 * 1024 * 1024) break;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
