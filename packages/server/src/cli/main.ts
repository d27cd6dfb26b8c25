#!/usr/bin/env node
import { nodeVersionProblem } from './node-version.js';

// INVARIANT: nothing above this check loads a native module. The CLI is imported dynamically
// below, so that an old Node.js is told what to do instead of crashing inside better-sqlite3.
const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(problem);
  process.exit(1);
}

// A reader that stops early (`gatehouse policy test | head`) closes the pipe: that ends the
// command quietly, as it does for other Unix tools, instead of with an EPIPE stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const { runCli } = await import('./run-cli.js');
const { readHiddenLine } = await import('./hidden-input.js');

const stopSignal = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  ...(process.stdin.isTTY && {
    readHidden: (prompt: string) => readHiddenLine(process.stdin, process.stderr, prompt),
  }),
  stdinStream: process.stdin,
  stdoutStream: process.stdout,
  stopSignal,
});
process.exitCode = code;
