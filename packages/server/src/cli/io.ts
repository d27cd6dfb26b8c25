import type { Readable, Writable } from 'node:stream';

/** Where a CLI run reads and writes: injectable, so tests run commands in process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The process's standard streams, for commands that speak a protocol over them (`mcp stdio`). */
  readonly stdinStream?: Readable;
  readonly stdoutStream?: Writable;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `serve` waits on it. */
  readonly stopSignal?: Promise<void>;
  /** Asks a person at a terminal for a value without echoing it; absent when there is no terminal. */
  readonly readHidden?: (prompt: string) => Promise<string>;
  /** Standard input, for values that must not appear on the command line (`secrets set`). */
  readonly stdin?: AsyncIterable<Uint8Array | string> & { readonly isTTY?: boolean };
}

/** Exit codes: the contract of DESIGN §9. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how a command was called: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Prints a value as pretty JSON, the form of every `--json` output. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Parses a JSON option value, or fails as a usage error naming the option. */
export function parseJsonOption(
  option: string,
  text: string | undefined,
): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${option} is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`${option} must be a JSON object`);
  return value as Record<string, unknown>;
}
