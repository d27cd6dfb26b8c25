#!/usr/bin/env node
import { runCli } from './run-cli.js';

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
  stdinStream: process.stdin,
  stdoutStream: process.stdout,
  stopSignal,
});
process.exitCode = code;
