import { runCli } from '../cli/run-cli.js';

/**
 * Runs the CLI in-process with captured output, as a user would in `cwd` with `env`;
 * `stdin`, when given, is what the command reads on standard input (a pipe).
 */
export async function runCliCaptured(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd,
    env,
    ...(stdin !== undefined && {
      stdin: (async function* () {
        yield Buffer.from(stdin, 'utf8');
      })(),
    }),
  });
  return { code, stdout, stderr };
}
