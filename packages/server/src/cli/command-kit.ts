import type { Option } from 'commander';
import type { CliIo } from './io.js';

/** What every command registration needs: the terminal, the exit-code wrapper and the shared options. */
export interface CommandKit {
  readonly io: CliIo;
  /** Wraps an action so its exit code becomes the CLI's. */
  readonly run: <A extends unknown[]>(
    action: (...args: A) => Promise<number>,
  ) => (...args: A) => Promise<void>;
  /** `--json`. */
  readonly json: () => Option;
  /** `-c, --config <file>`. */
  readonly config: () => Option;
}

/** An `Examples:` block for a command's --help. */
export const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
